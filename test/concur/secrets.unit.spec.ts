import { describe, expect, it } from 'vitest';
import { SecretBox, SecretKeyError } from '../../src/adapters/concur/secrets.js';

describe('SecretBox (AES-256-GCM under ML_SECRET_KEY)', () => {
  const box = new SecretBox('k'.repeat(32));

  it('round-trips, never repeats a ciphertext, and hides the plaintext', () => {
    const a = box.seal('refresh-token-value-123');
    const b = box.seal('refresh-token-value-123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token-value-123');
    expect(box.open(a)).toBe('refresh-token-value-123');
  });

  it('refuses a tampered file, a wrong key and a short key, saying what to do', () => {
    const sealed = box.seal('x');
    const parts = sealed.split('.');
    const flipped = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    expect(() => box.open([parts[0], parts[1], parts[2], flipped].join('.'))).toThrow(SecretKeyError);
    expect(() => new SecretBox('j'.repeat(32)).open(sealed)).toThrow(/ML_SECRET_KEY differs/);
    expect(() => new SecretBox('short')).toThrow(/at least 32 characters/);
  });
});
