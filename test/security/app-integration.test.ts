import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import {
  apiClient,
  newSession,
  PASSWORD,
  startTestTessera,
  uniqueEmail,
  type TestTessera,
} from '../helpers/tessera.js';
import { describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { deleteKeys } from './backends.js';
import { readyRedis } from './fixtures.js';

const ADMIN = { email: 'sec-admin@example.test', password: 'admin-password-123' };

/** The protection layer inside the real server: the login guard in the real login route, hooks, admin routes, logs. */
function suite(name: string, extraEnv: () => Record<string, string>) {
  describe(`protection in the real app (${name})`, () => {
    let t: TestTessera;
    let api: ReturnType<typeof apiClient>;
    let adminToken: string;
    const logLines: string[] = [];

    beforeAll(async () => {
      const sink = new Writable({
        write(chunk, _enc, done) {
          logLines.push(String(chunk));
          done();
        },
      });
      t = await startTestTessera(
        {
          TRUST_PROXY: 'true',
          TESSERA_ADMIN_EMAIL: ADMIN.email,
          TESSERA_ADMIN_PASSWORD: ADMIN.password,
          ...extraEnv(),
        },
        { logger: createLogger({ logLevel: 'trace' }, sink) },
      );
      api = apiClient(t.url);
      const login = await api('POST', '/v1/auth/login', ADMIN, { headers: { 'x-forwarded-for': '192.0.2.250' } });
      adminToken = login.body.token;
    });
    afterAll(async () => t?.stop());

    const loginFrom = (ip: string, email: string, password: string) =>
      api('POST', '/v1/auth/login', { email, password }, { headers: { 'x-forwarded-for': ip } });

    it('locks out after the same number of failures whether the account exists or not, before hashing', async () => {
      const { email } = await newSession(api, { headers: { 'x-forwarded-for': '198.51.100.200' } });
      const run = async (target: string, ip: string) => {
        const seen: string[] = [];
        for (let i = 0; i < 7; i++) {
          // Every spelling of one address shares its counters.
          const res = await loginFrom(ip, i % 2 ? ` ${target.toUpperCase()} ` : target, 'wrong-password-x');
          seen.push(`${res.status} ${res.body.error.code} ${res.headers.get('retry-after') ?? '-'}`);
        }
        return seen;
      };
      const existing = await run(email, '198.51.100.21');
      const unknown = await run(uniqueEmail('ghost'), '198.51.100.22');
      expect(existing).toEqual(unknown);
      expect(existing).toEqual([
        ...Array(5).fill('401 invalid_credentials -'),
        '429 locked_out 900',
        '429 locked_out 900',
      ]);
      // The pair is locked, not the account: the right password from another address works.
      expect((await loginFrom('198.51.100.23', email, PASSWORD)).status).toBe(200);
    });

    it('sends the security headers and leaves validation unlimited', async () => {
      const { token } = await newSession(api, { headers: { 'x-forwarded-for': '198.51.100.30' } });
      for (let i = 0; i < 3; i++) {
        const res = await api('GET', '/v1/auth/session', undefined, { token });
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-limit')).toBeNull();
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
        expect(res.headers.get('x-request-id')).toBeTruthy();
      }
      const sessions = await api('GET', '/v1/auth/sessions', undefined, { token });
      expect(sessions.headers.get('ratelimit-limit')).toBe('1000000');
    });

    it('admin security routes: 401, 403, ban enforced at once, events listed', async () => {
      expect((await api('GET', '/v1/admin/security/bans')).status).toBe(401);
      const { token: userToken } = await newSession(api, { headers: { 'x-forwarded-for': '198.51.100.40' } });
      expect((await api('GET', '/v1/admin/security/bans', undefined, { token: userToken })).status).toBe(403);
      const banned = await api(
        'POST',
        '/v1/admin/security/bans',
        { ip: '203.0.113.66', ttl: 600, reason: 'integration' },
        { token: adminToken, headers: { 'x-forwarded-for': '192.0.2.250' } },
      );
      expect(banned.status).toBe(201);
      const refused = await loginFrom('203.0.113.66', ADMIN.email, ADMIN.password);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      const lifted = await api('DELETE', '/v1/admin/security/bans/203.0.113.66', undefined, {
        token: adminToken,
        headers: { 'x-forwarded-for': '192.0.2.250' },
      });
      expect(lifted.status).toBe(204);
      await t.runtime.protection!.events.flush();
      const events = await api(
        'GET',
        `/v1/admin/security/events?type=ip_banned&limit=50&since=${Date.now() - 60_000}`,
        undefined,
        { token: adminToken, headers: { 'x-forwarded-for': '192.0.2.250' } },
      );
      expect(events.body.events.some((e: any) => e.ip === '203.0.113.66' && e.details.reason === 'integration')).toBe(
        true,
      );
      const lockouts = await api('GET', '/v1/admin/security/events?type=lockout', undefined, {
        token: adminToken,
        headers: { 'x-forwarded-for': '192.0.2.250' },
      });
      expect(lockouts.body.events.length).toBeGreaterThan(0);
    });

    it('never logs tokens, cookies or passwords (trace-level logs of a full run)', async () => {
      const email = uniqueEmail('logs');
      const secret = 'a-very-secret-password-42';
      await api(
        'POST',
        '/v1/auth/signup',
        { email, password: secret },
        { headers: { 'x-forwarded-for': '198.51.100.50' } },
      );
      await loginFrom('198.51.100.50', email, 'wrong-password-logged?');
      const login = await loginFrom('198.51.100.50', email, secret);
      const token: string = login.body.token;
      const cookie = login.headers.get('set-cookie') ?? '';
      await api('GET', '/v1/auth/session', undefined, { headers: { cookie: cookie.split(';')[0] } });
      const refreshed = await api('POST', '/v1/auth/session/refresh', undefined, { token });
      await api(
        'POST',
        '/v1/auth/password',
        { currentPassword: secret, newPassword: 'another-secret-password-43' },
        { token: refreshed.body.token },
      );
      await api('POST', '/v1/auth/logout', undefined, { token: refreshed.body.token });
      for (let i = 0; i < 6; i++) await loginFrom('198.51.100.51', email, 'brute-force-guess-' + i);
      await t.runtime.protection!.events.flush();
      const logs = logLines.join('');
      expect(logs.length).toBeGreaterThan(0);
      for (const needle of [
        secret,
        'another-secret-password-43',
        'wrong-password-logged?',
        'brute-force-guess-',
        token,
        refreshed.body.token,
        ADMIN.password,
      ]) {
        expect(logs).not.toContain(needle);
      }
      expect(logs).not.toMatch(/tss_[A-Za-z0-9_-]{20,}/);
    });
  });
}

suite('embedded', () => ({}));

describeWith(['redis'], 'with Redis', () => {
  const prefix = uniquePrefix('secapp');
  afterAll(async () => {
    const redis = await readyRedis();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  suite('scaled, Redis counters and bans', () => ({ REDIS_URL, REDIS_KEY_PREFIX: prefix }));
});

describe('per-user limit in the real app', () => {
  let t: TestTessera;
  afterAll(async () => t?.stop());

  it('counts authenticated routes per user but never session validation', async () => {
    t = await startTestTessera({ RATE_LIMIT_USER_PER_MIN: '3' });
    const api = apiClient(t.url);
    const { token } = await newSession(api);
    for (let i = 0; i < 8; i++) expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await api('GET', '/v1/auth/sessions', undefined, { token })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
  });
});

describe('bad input to the protection routes of the real app (property)', () => {
  let t: TestTessera;
  afterAll(async () => t?.stop());

  it('no request to the admin security routes or past the hooks yields a 5xx; errors keep the one shape', async () => {
    t = await startTestTessera({
      TRUST_PROXY: '1',
      TESSERA_ADMIN_EMAIL: ADMIN.email,
      TESSERA_ADMIN_PASSWORD: ADMIN.password,
    });
    const api = apiClient(t.url);
    const adminToken: string = (await api('POST', '/v1/auth/login', ADMIN)).body.token;
    const { default: fc } = await import('fast-check');
    const routes = [
      ['GET', '/v1/admin/security/events'],
      ['GET', '/v1/admin/security/bans'],
      ['POST', '/v1/admin/security/bans'],
      ['DELETE', '/v1/admin/security/bans/'],
      ['POST', '/v1/auth/login'],
      ['GET', '/v1/auth/session'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
              ttl: fc.oneof(fc.integer(), fc.string()),
              reason: fc.string(),
            },
            { requiredKeys: [] },
          ),
        ),
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 60 }),
        fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 80 }))),
        async ([method, route], body, suffix, query, xff) => {
          const url = route.endsWith('/')
            ? route + encodeURIComponent(suffix || 'x')
            : `${route}?${encodeURIComponent(query)}=${encodeURIComponent(suffix)}`;
          const headers: Record<string, string> = {};
          if (xff) headers['x-forwarded-for'] = xff.replace(/[\r\n]/g, '');
          const res = await api(method, url, method === 'POST' ? body : undefined, {
            token: route.includes('admin') ? adminToken : undefined,
            headers,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400)
            expect(res.body.error).toMatchObject({
              code: expect.any(String),
              message: expect.any(String),
              requestId: expect.any(String),
            });
        },
      ),
      { numRuns: 150 },
    );
  });
});
