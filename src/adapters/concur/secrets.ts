import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConnectorError } from '../../domain/errors.js';

/**
 * Secrets at rest: AES-256-GCM with a key derived (HKDF-SHA256) from `ML_SECRET_KEY`. Concur
 * rotates refresh tokens, and the only copy of the current one lives in this file, so it is written
 * atomically (temp file + rename) and authenticated (a wrong key or a tampered file is an error,
 * never a silently wrong token).
 */
export class SecretKeyError extends ConnectorError {
  override readonly name = 'SecretKeyError';
}

export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKeyMaterial: string) {
    if (typeof secretKeyMaterial !== 'string' || secretKeyMaterial.length < 32) {
      throw new SecretKeyError('ML_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`); it encrypts the stored Concur refresh token');
    }
    this.key = Buffer.from(hkdfSync('sha256', secretKeyMaterial, 'ml-connector', 'concur-secrets-v1', 32));
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, all base64url. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.trim().split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined)
      throw new SecretKeyError('The encrypted secret file is not in the expected format (v1.iv.tag.body)');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        'The encrypted secret file cannot be decrypted: ML_SECRET_KEY differs from the key it was written with, or the file was altered. Restore the key, or delete the file and reconnect Concur',
      );
    }
  }
}

/** What must survive a restart for the Concur connection. */
export interface StoredConcurCredentials {
  refreshToken: string;
  /** Datacenter base URL from the last token response. */
  geolocation: string;
  /** Epoch ms at which the refresh token expires (Concur's `refresh_expires_in`), when known. */
  refreshExpiresAt: number | null;
  /** SHA-256 of the configured seed credential this chain started from (detects a human re-seeding). */
  seedFingerprint: string;
  updatedAt: string;
}

export interface CredentialStore {
  load(): Promise<StoredConcurCredentials | null>;
  save(credentials: StoredConcurCredentials): Promise<void>;
}

export class EncryptedFileCredentialStore implements CredentialStore {
  constructor(
    private readonly path: string,
    private readonly box: SecretBox,
  ) {}

  async load(): Promise<StoredConcurCredentials | null> {
    let sealed: string;
    try {
      sealed = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return JSON.parse(this.box.open(sealed)) as StoredConcurCredentials;
  }

  async save(credentials: StoredConcurCredentials): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, this.box.seal(JSON.stringify(credentials)), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
