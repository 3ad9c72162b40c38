import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * `Concur-Signature`: RSA-SHA256 over the raw request body, base64 (the product contract; SAP does
 * not document the exact signed content). SAP rotated its key on 2025-10-22, so any configured key
 * may match: old and new keys are both accepted during a rotation.
 */
export function verifyConcurSignature(rawBody: Buffer, signature: string | undefined, keys: readonly KeyObject[]): boolean {
  if (!signature || keys.length === 0) return false;
  const trimmed = signature.trim();
  if (!/^[A-Za-z0-9+/=_-]+$/.test(trimmed)) return false;
  const sig = Buffer.from(trimmed, /[-_]/.test(trimmed) ? 'base64url' : 'base64');
  if (sig.length === 0) return false;
  return keys.some((key) => {
    try {
      return verify('sha256', rawBody, key, sig);
    } catch {
      return false;
    }
  });
}

export function parsePublicKeys(pems: readonly string[]): KeyObject[] {
  return pems.map((pem, i) => {
    try {
      return createPublicKey(pem);
    } catch (error) {
      throw new Error(`Concur webhook public key #${i + 1} is not a PEM public key (${(error as Error).message}); check CONCUR_WEBHOOK_PUBLIC_KEYS`);
    }
  });
}

/** `CONCUR_WEBHOOK_PUBLIC_KEYS`: a comma list of PEM file paths. */
export async function loadPublicKeyFiles(commaList: string): Promise<KeyObject[]> {
  const paths = commaList
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const pems = await Promise.all(
    paths.map((p) =>
      readFile(p, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new Error(`CONCUR_WEBHOOK_PUBLIC_KEYS: cannot read ${p} (${error.code ?? error.message})`);
      }),
    ),
  );
  return parsePublicKeys(pems);
}
