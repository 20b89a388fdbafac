import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePassword } from '../../src/auth/normalize.js';
import { TesseraError } from '../../src/errors/index.js';

const LETTERS = [...'abcdefghijklmnopqrstuvwxyzéèêëàâäçñøåüößœ', 'é', 'ñ', 'ö', 'ﬁ'];
const local = fc.string({ unit: fc.constantFrom(...LETTERS, ...'ABCÉÑ0123456789.-_+'), minLength: 1, maxLength: 20 });
const domain = fc.constantFrom('example.com', 'exämple.org', 'mail.test');
const email = fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);

/** Characters an email may never hide: controls, zero-width and invisible ones, bidi controls. */
const INVISIBLE = [
  '\u0000',
  '\u0001',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00ad',
  '\u061c',
  '\u180e',
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2060',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\ufeff',
];
const loneSurrogate = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdbff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xdc00, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);

function refusal(run: () => unknown): { field: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof TesseraError) || error.code !== 'invalid_request') throw error;
    return error.extra.details?.[0];
  }
}

const insertAt = (text: string, at: number, piece: string): string => {
  const i = at % (text.length + 1);
  // Never split a surrogate pair of the text itself: only the inserted piece may be malformed.
  const j = i > 0 && /[\ud800-\udbff]/.test(text[i - 1]) ? i + 1 : i;
  return text.slice(0, j) + piece + text.slice(j);
};

describe('normalizeEmail', () => {
  it('keeps the old rule for plain ASCII: trimmed, lower-cased', () => {
    expect(normalizeEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });

  it('NFC and NFD spellings of one address are one address', () => {
    fc.assert(
      fc.property(email, (e) => {
        expect(normalizeEmail(e.normalize('NFD'))).toBe(normalizeEmail(e.normalize('NFC')));
      }),
      { numRuns: 500 },
    );
  });

  it('fullwidth letters and digits are their ASCII letters, and case never matters', () => {
    const ascii = fc.string({
      unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
      minLength: 1,
      maxLength: 20,
    });
    const fullwidth = (s: string) => [...s].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
    fc.assert(
      fc.property(ascii, ascii, (l, d) => {
        const plain = normalizeEmail(`${l}@${d}.com`);
        expect(normalizeEmail(`${fullwidth(l)}@${fullwidth(d)}.com`)).toBe(plain);
        expect(normalizeEmail(`${l.toUpperCase()}@${d}.COM`)).toBe(plain);
      }),
      { numRuns: 300 },
    );
    expect(normalizeEmail('STRAẞE@example.com')).toBe(normalizeEmail('strasse@example.com'));
  });

  it('refuses control, zero-width and bidi characters anywhere, naming the field', () => {
    fc.assert(
      fc.property(email, fc.nat(), fc.constantFrom(...INVISIBLE), (e, at, bad) => {
        expect(refusal(() => normalizeEmail(insertAt(e, at, bad)))).toMatchObject({ field: 'email' });
      }),
      { numRuns: 500 },
    );
  });

  it('refuses lone surrogates (malformed UTF-16)', () => {
    fc.assert(
      fc.property(email, fc.nat(), loneSurrogate, (e, at, bad) => {
        expect(refusal(() => normalizeEmail(insertAt(e, at, bad)))).toMatchObject({ field: 'email' });
      }),
      { numRuns: 500 },
    );
  });

  it('always returns a fixed point: normalising twice changes nothing', () => {
    fc.assert(
      fc.property(email, (e) => {
        const once = normalizeEmail(e);
        expect(normalizeEmail(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });
});

describe('normalizePassword', () => {
  it('refuses lone surrogates, so \\ud800 and \\udfff are not one password', () => {
    expect(refusal(() => normalizePassword('password\ud800'))).toMatchObject({ field: 'password' });
    expect(refusal(() => normalizePassword('password\udfff'))).toMatchObject({ field: 'password' });
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 40 }), fc.nat(), loneSurrogate, (p, at, bad) => {
        expect(refusal(() => normalizePassword(insertAt(p, at, bad), 'newPassword'))).toMatchObject({
          field: 'newPassword',
        });
      }),
      { numRuns: 500 },
    );
  });

  it('is NFKC: compositions and compatibility forms of one password are one password', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...LETTERS, ' ', '1'), minLength: 8, maxLength: 30 }), (p) => {
        expect(normalizePassword(p.normalize('NFD'))).toBe(normalizePassword(p.normalize('NFC')));
      }),
      { numRuns: 300 },
    );
    expect(normalizePassword('ｐａｓｓｗｏｒｄ１')).toBe('password1');
    expect(normalizePassword('plain ascii password')).toBe('plain ascii password');
  });
});
