import { createHash, randomBytes } from 'node:crypto';

/** Characters of a key shown in listings. */
const SHOWN_PREFIX = 10;

/** A new API key: `sy_` and 256 random bits, base64url. Shown once, stored only as its hash. */
export function generateTenantKey(): { key: string; keyId: string; prefix: string } {
  const key = `sy_${randomBytes(32).toString('base64url')}`;
  return { key, keyId: `tk_${randomBytes(6).toString('hex')}`, prefix: key.slice(0, SHOWN_PREFIX) };
}

/**
 * The stored form of a key. A plain SHA-256 is enough: keys are 256 random bits, so there is nothing to
 * guess by brute force, and the hash is cheap enough for every request.
 */
export function hashTenantKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
