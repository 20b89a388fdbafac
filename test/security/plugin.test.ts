import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Protection } from '../../src/security/protection.js';
import { buildTestApp, makeProtection } from './fixtures.js';

let app: FastifyInstance | undefined;
let protection: Protection | undefined;
afterEach(async () => {
  await app?.close();
  await protection?.close();
  app = protection = undefined;
});

async function start(env: Record<string, string> = {}, users: Record<string, string> = {}) {
  protection = await makeProtection({ env });
  app = await buildTestApp(protection, undefined, users);
  return app;
}

const login = (a: FastifyInstance, email: string, password: string, ip?: string) =>
  a.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email, password },
    headers: ip ? { 'x-forwarded-for': ip } : {},
  });

describe('security plugin (in-process counters)', () => {
  it('sets JSON API security headers, no-store on /v1, and leaves the dashboard its own CSP', async () => {
    const a = await start();
    const res = await a.inject({ method: 'GET', url: '/v1/auth/session' });
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    const overHttps = await a.inject({
      method: 'GET',
      url: '/v1/auth/session',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(overHttps.headers['strict-transport-security']).toBeUndefined(); // TRUST_PROXY=false: the header is not believed
    const page = await a.inject({ method: 'GET', url: '/admin' });
    expect(page.headers['content-security-policy']).toBe("default-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['cache-control']).toBeUndefined();
  });

  it('answers 429 rate_limited with RateLimit-* and Retry-After in the one error shape; login is tighter than the API', async () => {
    const a = await start({ RATE_LIMIT_IP_PER_MIN: '10', RATE_LIMIT_LOGIN_PER_MIN: '3' });
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof login>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await login(a, 'x@example.com', 'wrong-password');
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last!.json()).toMatchObject({
      error: { code: 'rate_limited', message: expect.any(String), requestId: expect.any(String) },
    });
    expect(last!.headers['ratelimit-limit']).toBe('3');
    expect(last!.headers['ratelimit-remaining']).toBe('0');
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(60);
    const other = await a.inject({ method: 'POST', url: '/v1/auth/signup', payload: {} });
    expect(other.statusCode).toBe(201);
    expect(other.headers['ratelimit-limit']).toBe('10');
    expect(other.headers['ratelimit-remaining']).toBe('5');
  });

  it('does not limit session validation (GET /v1/auth/session) by default, nor /health', async () => {
    const a = await start({ RATE_LIMIT_IP_PER_MIN: '2' });
    for (let i = 0; i < 5; i++) {
      const res = await a.inject({ method: 'GET', url: '/v1/auth/session' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
      expect((await a.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    }
    await a.close();
    await protection!.close();
    const limited = await start({ RATE_LIMIT_IP_PER_MIN: '2', RATE_LIMIT_VALIDATION: 'true' });
    const codes = [];
    for (let i = 0; i < 3; i++)
      codes.push((await limited.inject({ method: 'GET', url: '/v1/auth/session' })).statusCode);
    expect(codes).toEqual([200, 200, 429]);
  });

  it('sends Strict-Transport-Security over HTTPS (a trusted proxy says so)', async () => {
    protection = await makeProtection({ env: { TRUST_PROXY: 'true' } });
    app = await buildTestApp(protection, undefined, {}, { trustProxy: true });
    const res = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('believes X-Forwarded-For only as TRUST_PROXY says', async () => {
    const untrusting = await start({ RATE_LIMIT_LOGIN_PER_MIN: '1' });
    expect((await login(untrusting, 'a@example.com', 'pw-wrong-1', '192.0.2.1')).statusCode).toBe(401);
    // A forged header does not buy a fresh counter.
    expect((await login(untrusting, 'a@example.com', 'pw-wrong-1', '192.0.2.2')).statusCode).toBe(429);
    await untrusting.close();
    await protection!.close();
    const trusting = await start({ RATE_LIMIT_LOGIN_PER_MIN: '1', TRUST_PROXY: '127.0.0.1/32' });
    expect((await login(trusting, 'a@example.com', 'pw-wrong-1', '192.0.2.1')).statusCode).toBe(401);
    expect((await login(trusting, 'a@example.com', 'pw-wrong-1', '192.0.2.2')).statusCode).toBe(401);
    expect((await login(trusting, 'a@example.com', 'pw-wrong-1', '192.0.2.2')).statusCode).toBe(429);
  });

  it('counts request spikes on the API but not on validation (backends call it at high rates)', async () => {
    const seen: string[] = [];
    protection = await makeProtection({
      env: { ANOMALY_SPIKE_PER_10S: '20', RATE_LIMIT_IP_PER_MIN: '1000' },
      onSecurityEvent: (e) => seen.push(e.type),
    });
    app = await buildTestApp(protection);
    for (let i = 0; i < 40; i++)
      expect((await app.inject({ method: 'GET', url: '/v1/auth/session' })).statusCode).toBe(200);
    expect(seen).toEqual([]);
    for (let i = 0; i < 20; i++) await app.inject({ method: 'POST', url: '/v1/auth/signup', payload: {} });
    expect(seen).toContain('request_spike');
  });

  it('refuses denylisted and banned IPs with 403; allowlisted IPs skip every limit', async () => {
    const a = await start({
      TRUST_PROXY: 'true',
      IP_DENYLIST: '203.0.113.0/24',
      IP_ALLOWLIST: '10.0.0.0/8',
      RATE_LIMIT_IP_PER_MIN: '2',
    });
    const denied = await a.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {},
      headers: { 'x-forwarded-for': '203.0.113.5' },
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('forbidden');
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await a.inject({
            method: 'POST',
            url: '/v1/auth/signup',
            payload: {},
            headers: { 'x-forwarded-for': '10.1.2.3' },
          })
        ).statusCode,
      ).toBe(201);
    }
    await protection!.bans.add({ ip: '192.0.2.99', ttlMs: 60_000, reason: 'test' });
    const banned = await a.inject({
      method: 'GET',
      url: '/v1/auth/session',
      headers: { 'x-forwarded-for': '192.0.2.99' },
    });
    expect(banned.statusCode).toBe(403);
  });

  it('refuses an IP whose reputation fell below the threshold with 429 and the time to recover', async () => {
    const a = await start({ TRUST_PROXY: 'true' });
    await protection!.reputation.penalise('192.0.2.77', 90);
    const res = await a.inject({
      method: 'GET',
      url: '/v1/auth/session',
      headers: { 'x-forwarded-for': '192.0.2.77' },
    });
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(500);
  });

  it('a locked-out login answers 429 locked_out after the same number of attempts whether the account exists or not', async () => {
    const a = await start({ TRUST_PROXY: 'true' }, { 'real@example.com': 'correct-horse' });
    const run = async (email: string, ip: string) => {
      const out = [];
      for (let i = 0; i < 7; i++) {
        const res = await login(a, email, 'not-the-password', ip);
        out.push(`${res.statusCode} ${res.json().error.code} ${res.headers['retry-after'] ?? '-'}`);
      }
      return out;
    };
    const existing = await run('real@example.com', '192.0.2.31');
    const missing = await run('ghost@example.com', '192.0.2.32');
    expect(existing).toEqual(missing);
    expect(existing).toEqual([
      ...Array(5).fill('401 invalid_credentials -'),
      '429 locked_out 900',
      '429 locked_out 900',
    ]);
    // The right password from a clean IP still works.
    expect((await login(a, 'real@example.com', 'correct-horse', '192.0.2.33')).statusCode).toBe(200);
  });

  it('reports every decision to the metrics listener', async () => {
    const decisions: string[] = [];
    protection = await makeProtection({
      env: { RATE_LIMIT_LOGIN_PER_MIN: '1' },
      onDecision: (d) => decisions.push(`${d.kind}:${d.outcome}`),
    });
    app = await buildTestApp(protection);
    await login(app, 'c@example.com', 'wrong-password');
    await login(app, 'c@example.com', 'wrong-password');
    expect(decisions).toEqual(['ip:allowed', 'login:allowed', 'login_guard:allowed', 'ip:allowed', 'login:refused']);
  });

  it('PROTECTION_ENABLED=false keeps only the client IP and the headers', async () => {
    const a = await start({ PROTECTION_ENABLED: 'false', RATE_LIMIT_LOGIN_PER_MIN: '1', IP_DENYLIST: '127.0.0.1' });
    for (let i = 0; i < 3; i++) expect((await login(a, 'b@example.com', 'wrong-password')).statusCode).toBe(401);
    const res = await a.inject({ method: 'GET', url: '/v1/auth/session' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
