import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `thk_<id>_<secret>`. The id is stored in clear to find the key; the secret
 * only as a SHA-256 hash. A slow password hash is not needed here: the secret is 256 random bits,
 * not something a person chose, so it cannot be guessed from its hash.
 */
const KEY_PATTERN = /^thk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  id: string;
  /** The full key; shown once, never stored. */
  key: string;
  secretHash: Buffer;
}

export function issueApiKey(): IssuedKey {
  const id = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `thk_${id}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const m = KEY_PATTERN.exec(key.trim());
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(secret: string, hash: Buffer): boolean {
  const h = hashSecret(secret);
  return h.length === hash.length && timingSafeEqual(h, hash);
}
