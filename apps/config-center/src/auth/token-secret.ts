import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every secret this node issues: a leaked one is recognisable in a scan. */
const SECRET_PREFIX = 'cct_';

/** 256 random bits (DESIGN 21), base64url: 47 characters with the prefix. */
export function newTokenSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256, not a password hash: the secret has 256 bits of entropy (no dictionary to resist)
 * and is checked on every read, where a slow hash would cost more than the read itself.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}
