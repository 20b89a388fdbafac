import { hash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'tss_';
const TOKEN_SHAPE = /^tss_[A-Za-z0-9_-]{43}$/;

/** 256 random bits, base64url, with a recognisable prefix. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** Only this hash is ever stored or used as a cache key; a leaked copy of the database or Redis yields no usable token. */
// crypto.hash is the one-shot form: about half the cost of createHash().update().digest() on the hot path.
export function hashToken(token: string): string {
  return hash('sha256', token, 'base64url');
}

/** Cheap shape check so junk never costs a hash or a lookup. */
export function isWellFormedToken(token: string): boolean {
  return token.length === 47 && TOKEN_SHAPE.test(token);
}
