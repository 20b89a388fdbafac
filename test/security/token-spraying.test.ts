import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../src/security/events.js';
import {
  generateToken,
  isWellFormedToken,
  LEGACY_TOKEN_LENGTH,
  TOKEN_LENGTH,
  tokenChecksum,
} from '../../src/sessions/token.js';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same token with the character at `index` replaced by another one of its alphabet (a typo or a forgery). */
function mistype(token: string, index: number, shift: number): string {
  const alphabet = index >= LEGACY_TOKEN_LENGTH ? BASE64URL.slice(0, 62) : BASE64URL;
  const at = alphabet.indexOf(token[index]);
  const other = alphabet[(at + 1 + (shift % (alphabet.length - 1))) % alphabet.length];
  return token.slice(0, index) + other + token.slice(index + 1);
}

/** A token of the current shape (right length and alphabet) whose checksum is wrong. */
function forged(): string {
  const real = generateToken();
  return mistype(real, TOKEN_LENGTH - 1, 7);
}

describe('token checksum', () => {
  it('issues tss_ + 43 base64url characters + a 6-character checksum', () => {
    const token = generateToken();
    expect(token).toMatch(/^tss_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
    expect(token.length).toBe(TOKEN_LENGTH);
    expect(token.slice(LEGACY_TOKEN_LENGTH)).toBe(tokenChecksum(token.slice(0, LEGACY_TOKEN_LENGTH)));
    expect(isWellFormedToken(token)).toBe(true);
  });

  it('refuses any single mistyped character, in the random part or in the checksum', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: TOKEN_LENGTH - 1 }), fc.nat(1000), (index, shift) => {
        const token = generateToken();
        expect(isWellFormedToken(mistype(token, index, shift))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('still accepts the format issued before the checksum, unless told not to', () => {
    const legacy = 'tss_' + 'A'.repeat(43);
    expect(isWellFormedToken(legacy)).toBe(true);
    expect(isWellFormedToken(legacy, false)).toBe(false);
    expect(isWellFormedToken(legacy + '!')).toBe(false);
    expect(isWellFormedToken(generateToken(), false)).toBe(true);
  });
});

describe('forged tokens in the real app', () => {
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  const seen: SecurityEvent[] = [];

  beforeAll(async () => {
    t = await startTestTessera({ TRUST_PROXY: 'true', ANOMALY_INVALID_TOKENS_PER_MIN: '30' });
    t.runtime.protection!.events.onEvent((e) => seen.push(e));
    api = apiClient(t.url);
  });
  afterAll(async () => t?.stop());

  const sessionLookups = async (): Promise<number> => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('tessera_db_operation_duration_seconds_count{operation="session_by_token"}'));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('a forged or mistyped token of the current format costs no database query', async () => {
    const { token } = await newSession(api, { headers: { 'x-forwarded-for': '198.51.100.70' } });
    expect(token.length).toBe(TOKEN_LENGTH);
    expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);

    const before = await sessionLookups();
    const attempts = [mistype(token, 10, 3), mistype(token, TOKEN_LENGTH - 2, 1)];
    for (let i = 0; i < 40; i++) attempts.push(forged());
    for (const attempt of attempts) {
      const res = await api('GET', '/v1/auth/session', undefined, {
        token: attempt,
        headers: { 'x-forwarded-for': '198.51.100.71' },
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      expect(res.headers.get('x-db-queries')).toBe('0');
    }
    expect(await sessionLookups()).toBe(before);
  });

  it('a token of the old format is still looked up (sessions issued before the change stay valid)', async () => {
    const res = await api('GET', '/v1/auth/session', undefined, {
      token: 'tss_' + 'Q'.repeat(43),
      headers: { 'x-forwarded-for': '198.51.100.72' },
    });
    expect(res.status).toBe(401);
    expect(Number(res.headers.get('x-db-queries'))).toBeGreaterThan(0);
  });

  it('raises one token_spraying event (action log) per address spraying unknown or malformed tokens', async () => {
    const sprayer = '203.0.113.90';
    const tokens = [
      ...Array.from({ length: 15 }, () => forged()),
      ...Array.from({ length: 10 }, () => generateToken()), // well formed, unknown
      ...Array.from({ length: 10 }, (_, i) => `junk-${i}`), // malformed
    ];
    for (const token of tokens)
      expect(
        (await api('GET', '/v1/auth/session', undefined, { token, headers: { 'x-forwarded-for': sprayer } })).status,
      ).toBe(401);
    const events = seen.filter((e) => e.type === 'token_spraying' && e.ip === sprayer);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ip: sprayer, action: 'log', details: { invalidTokensInMinute: 30 } });
    // Action log: the address is not banned, throttled or refused.
    expect(t.runtime.protection!.bans.isBanned(sprayer)).toBeUndefined();
    const { token } = await newSession(api, { headers: { 'x-forwarded-for': sprayer } });
    expect(
      (await api('GET', '/v1/auth/session', undefined, { token, headers: { 'x-forwarded-for': sprayer } })).status,
    ).toBe(200);
  });

  it('does not count requests that present no token', async () => {
    const before = seen.length;
    for (let i = 0; i < 40; i++)
      await api('GET', '/v1/auth/session', undefined, { headers: { 'x-forwarded-for': '203.0.113.91' } });
    expect(seen.slice(before).filter((e) => e.type === 'token_spraying')).toHaveLength(0);
  });
});
