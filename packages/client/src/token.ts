import { createHash } from 'node:crypto';

const COOKIE = 'tessera_session';

/** The cache key of a token: its SHA-256 (as Tessera keys its own caches), so raw tokens are not kept as keys. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url');

/** The session token from `Authorization: Bearer …` or the `tessera_session` cookie. */
export function tokenFromHeaders(authorization: string | null | undefined, cookie: string | null | undefined) {
  if (authorization) {
    const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  if (cookie) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === COOKIE) {
        const value = part.slice(eq + 1).trim();
        return value.length > 0 ? value : undefined;
      }
    }
  }
  return undefined;
}
