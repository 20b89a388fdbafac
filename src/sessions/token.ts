import { hash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'tss_';
/** `tss_` + 43 base64url characters (256 random bits) + 6 base62 characters of CRC32 checksum. */
export const TOKEN_LENGTH = 53;
/** Tokens issued before the checksum: `tss_` + 43 base64url characters, nothing after. */
export const LEGACY_TOKEN_LENGTH = 47;
const CHECKSUM_LENGTH = 6;
const LEGACY_TOKEN_SHAPE = /^tss_[A-Za-z0-9_-]{43}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** 1 for the base64url characters (by char code below 128), 0 for the rest. */
const BASE64URL_CHARS = (() => {
  const table = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') table[c.charCodeAt(0)] = 1;
  return table;
})();

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC32 (IEEE) of the first `length` characters of an ASCII string; no allocation. */
function crc32(text: string, length: number): number {
  let crc = -1;
  for (let i = 0; i < length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** The checksum of a token body (`tss_` + 43 characters), as 6 base62 digits, most significant first. */
export function tokenChecksum(body: string): string {
  let crc = crc32(body, LEGACY_TOKEN_LENGTH);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[crc % 62] + out;
    crc = Math.floor(crc / 62);
  }
  return out;
}

/**
 * Whether a 53-character string is `tss_` + 43 base64url characters + their checksum, in one pass: the characters are
 * checked as the CRC runs over them, and the checksum digit by digit (no regex, no string built).
 */
function checksumMatches(token: string): boolean {
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  let crc = -1;
  for (let i = 0; i < LEGACY_TOKEN_LENGTH; i++) {
    const c = token.charCodeAt(i);
    if (i >= TOKEN_PREFIX.length && (c > 127 || BASE64URL_CHARS[c] === 0)) return false;
    crc = CRC_TABLE[(crc ^ c) & 0xff] ^ (crc >>> 8);
  }
  crc = (crc ^ -1) >>> 0;
  for (let i = TOKEN_LENGTH - 1; i >= LEGACY_TOKEN_LENGTH; i--) {
    if (token.charCodeAt(i) !== BASE62.charCodeAt(crc % 62)) return false;
    crc = Math.floor(crc / 62);
  }
  return true;
}

/**
 * 256 random bits, base64url, with a recognisable prefix and a CRC32 checksum: a forged or mistyped token is refused
 * without a lookup, and secret scanners can tell a real token from a lookalike.
 */
export function generateToken(): string {
  const body = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return body + tokenChecksum(body);
}

/** Only this hash is ever stored or used as a cache key; a leaked copy of the database or Redis yields no usable token. */
// crypto.hash is the one-shot form: about half the cost of createHash().update().digest() on the hot path.
export function hashToken(token: string): string {
  return hash('sha256', token, 'base64url');
}

/**
 * Cheap shape check so junk never costs a hash or a lookup: a current token must carry its checksum; a token in the
 * format issued before the checksum (no checksum to check) is accepted while `acceptLegacy` is on, and looked up.
 */
export function isWellFormedToken(token: string, acceptLegacy = true): boolean {
  if (token.length === TOKEN_LENGTH) return checksumMatches(token);
  return acceptLegacy && token.length === LEGACY_TOKEN_LENGTH && LEGACY_TOKEN_SHAPE.test(token);
}
