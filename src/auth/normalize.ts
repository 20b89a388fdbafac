import { TesseraError } from '../errors/index.js';

export const DEFAULT_TENANT = 'default';

/**
 * Characters an identity may not contain: C0 and C1 controls (NUL, ESC…; tab, CR and LF only as the whitespace
 * trimming removes, since inside an address they fail its shape anyway), invisible format characters (soft hyphen,
 * zero-width space/joiners, word joiner, BOM…) and bidirectional controls (LRM/RLM, embeddings, overrides, isolates).
 * Without `u`, so a lone surrogate is seen as one code unit (it is refused separately).
 */
const REFUSED_IN_EMAIL =
  // eslint-disable-next-line no-misleading-character-class -- each combining or invisible mark is refused on its own
  /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one: malformed UTF-16. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
const EMAIL_MAX_LENGTH = 320;
/** Printable ASCII: the common case, which needs no Unicode work. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

const refuse = (field: string, message: string): TesseraError =>
  new TesseraError('invalid_request', `The ${field === 'email' ? 'email address' : field} is not acceptable.`, {
    details: [{ field, message }],
  });

/** True when the string is well-formed UTF-16 (no lone surrogate). */
export const isWellFormedUnicode = (text: string): boolean => !LONE_SURROGATE.test(text);

/**
 * The one form of an email Tessera stores, compares and counts by: trimmed, Unicode NFKC (fullwidth and compatibility
 * forms folded, NFC and NFD spellings equal), case-folded (as full folding does, `ß`, `ẞ` and `ss` match, so do `Σ`
 * and `σ`). Refuses — 400 invalid_request naming `field` — malformed UTF-16, controls, zero-width, invisible and bidi
 * characters, and anything that is no longer `local@domain` once normalised. Run once per signup or login.
 */
export function normalizeEmail(email: string, field = 'email'): string {
  // The common case, printable ASCII, is what the previous rule (trim, lower-case) gave and needs nothing else.
  if (PLAIN_ASCII.test(email)) {
    const lower = email.trim().toLowerCase();
    if (!EMAIL_SHAPE.test(lower) || lower.length > EMAIL_MAX_LENGTH)
      throw refuse(field, 'must be an email address such as ada@example.com');
    return lower;
  }
  // Checked before trimming: trim() would silently drop a BOM (U+FEFF) at either end.
  if (!isWellFormedUnicode(email)) throw refuse(field, 'must be well-formed Unicode (no lone surrogate)');
  if (REFUSED_IN_EMAIL.test(email))
    throw refuse(field, 'must not contain control, zero-width, invisible or bidirectional characters');
  // Lower, upper, lower: equal wherever full case folding is equal but for a handful of letters (`ẞ` → `ß` → `SS` →
  // `ss`). NFKC again afterwards because case mapping can leave a sequence that is no longer normalised.
  const folded = email.trim().normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKC').trim();
  if (REFUSED_IN_EMAIL.test(folded))
    throw refuse(field, 'must not contain control, zero-width, invisible or bidirectional characters');
  if (!EMAIL_SHAPE.test(folded) || folded.length > EMAIL_MAX_LENGTH)
    throw refuse(field, 'must be an email address such as ada@example.com');
  return folded;
}

/** The rule before Unicode normalisation (trim, lower-case): how emails stored by earlier versions were written. */
export const legacyNormalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * A password as it is hashed and verified (Unicode NFKC applied before hashing), so one password typed on two
 * keyboards is one password. Refuses malformed UTF-16: encoded for hashing, every lone surrogate would become U+FFFD,
 * and `\ud800` and `\udfff` would be the same password.
 */
export function normalizePassword(password: string, field = 'password'): string {
  if (PLAIN_ASCII.test(password)) return password;
  if (!isWellFormedUnicode(password)) throw refuse(field, 'must be well-formed Unicode (no lone surrogate)');
  return password.normalize('NFKC');
}

export const normalizeTenant = (tenant: string | undefined): string => tenant?.trim() || DEFAULT_TENANT;
