import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import type { Observability } from '../../src/observability/index.js';
import { eventually, startHarness } from './harness.js';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';
import { generateToken } from '../../src/sessions/token.js';

const run = promisify(execFile);

/** Value of one sample line `name{labels} value` in exposition text (labels matched as a substring set). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('/metrics', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  beforeAll(async () => {
    h = await startHarness();
    h.obs.metrics.setSessionStatsSource(async () => ({ active: 12, expired: 340, revoked: 5, sizeBytes: 65536 }));
    h.obs.metrics.breakerState('redis', 'closed');
    h.obs.metrics.cleanupSucceeded(Date.now(), 3);
  });
  afterAll(() => h.close());

  const scrape = async (): Promise<string> => {
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  it('passes promtool check metrics', async () => {
    await fetch(`${h.url}/v1/auth/session`);
    await fetch(`${h.url}/no/such/path/user@example.com`);
    // Samples in every family so promtool checks their exposition; metrics-caused.test.ts causes each for real.
    h.obs.metrics.securityEvent('credential_stuffing');
    h.obs.metrics.rateLimit('login', 'limited');
    h.obs.metrics.lockout('login', 'locked');
    h.obs.metrics.dbOp('session_by_token', 0.002);
    const text = await scrape();
    const dir = await mkdtemp(join(tmpdir(), 'promtool-'));
    try {
      const file = join(dir, 'metrics.txt');
      await writeFile(file, text);
      const { stdout, stderr } = await run('sh', ['-c', `promtool check metrics < ${file}`]).catch(
        (err: { stdout: string; stderr: string }) => {
          throw new Error(`promtool rejected the exposition:\n${err.stdout}\n${err.stderr}`);
        },
      );
      expect(`${stdout}${stderr}`.trim()).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports the sampled session gauges, with buckets at the latency target and the 1 s alert line', async () => {
    const text = await scrape();
    expect(sample(text, 'tessera_sessions', { state: 'expired' })).toBe(340);
    expect(sample(text, 'tessera_sessions', { state: 'active' })).toBe(12);
    expect(sample(text, 'tessera_store_size_bytes')).toBe(65536);
    // A bucket exactly at the 250 ms latency target and at the 1 s alert line.
    expect(text).toContain('le="0.25"');
    expect(text).toContain('le="1"');
  });

  it('labels requests by route template, never the raw URL', async () => {
    const text = await scrape();
    expect(text).toContain('route="/v1/auth/session"');
    expect(text).toContain('route="unmatched"');
    expect(text).not.toContain('user@example.com');
    expect(text).not.toContain('/no/such/path');
  });

  it('counters move as traffic flows', async () => {
    const before = await scrape();
    for (let i = 0; i < 100; i++) await fetch(`${h.url}/v1/auth/session`);
    await fetch(`${h.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email":"x@example.com","password":"wrong-password"}',
    });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>): number =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('tessera_cache_lookups_total', { tier: 'l1', result: 'hit' })).toBe(90);
    expect(delta('tessera_cache_lookups_total', { tier: 'l1', result: 'miss' })).toBe(10);
    expect(delta('tessera_cache_lookups_total', { tier: 'l2', result: 'hit' })).toBe(10);
    expect(delta('tessera_session_writes_total', { result: 'skipped' })).toBe(98);
    expect(delta('tessera_session_writes_total', { result: 'written' })).toBe(2);
    expect(delta('tessera_logins_total', { outcome: 'invalid_credentials' })).toBe(1);
    expect(
      delta('tessera_http_request_duration_seconds_count', {
        route: '/v1/auth/session',
        method: 'GET',
        status_code: '200',
      }),
    ).toBe(100);
  });

  it('caps free-form label values so a caller cannot explode cardinality', async () => {
    for (let i = 0; i < 200; i++) h.obs.metrics.securityEvent(`type_${i}`);
    h.obs.metrics.securityEvent('has spaces and "quotes"');
    const text = await scrape();
    const lines = text.split('\n').filter((l) => l.startsWith('tessera_security_events_total{'));
    expect(lines.length).toBeLessThanOrEqual(51);
    expect(text).toContain('tessera_security_events_total{type="other"}');
  });
});

/** Sum of every sample of `name` (all label sets) whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && want.every((w) => l.includes(w)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describeWith(['redis', 'postgres'], '/metrics of a real app (PostgreSQL + Redis) under real traffic', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let t: TestTessera;
  const prefix = uniquePrefix('obs-metrics');
  beforeAll(async () => {
    db = await createTestDatabase();
    // The login rate limit at its default (the test helper lifts it); the brute-force guard at its defaults.
    t = await startTestTessera({
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SESSION_L1_MAX: '0',
      RATE_LIMIT_LOGIN_PER_MIN: '20',
      ALERT_EVAL_INTERVAL: '1h',
      CLEANUP_INTERVAL: '1s',
    });
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    await deleteRedisPrefix(REDIS_URL, prefix);
  });

  it('every documented family has samples, and they move with validations and a brute-force burst', async () => {
    const api = apiClient(t.url);
    const scrape = async () => (await fetch(`${t.url}/metrics`)).text();
    const before = await scrape();
    const user = await newSession(api);
    // Validations from Redis (no L1): once the login's background write-through landed and the change log was read.
    await eventually(async () => {
      const res = await api('GET', '/v1/auth/session', undefined, { token: user.token });
      return res.status === 200 && res.headers.get('server-timing')?.includes('cache;desc="L2"');
    });
    for (let i = 0; i < 10; i++)
      expect((await api('GET', '/v1/auth/session', undefined, { token: user.token })).status).toBe(200);
    // A token no cache knows: the database answers (and times its queries).
    const unknown = generateToken();
    expect((await api('GET', '/v1/auth/session', undefined, { token: unknown })).status).toBe(401);
    // Wrong passwords until the guard locks the (email, IP) pair, then the login rate limit refuses.
    const statuses: number[] = [];
    const codes = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await api('POST', '/v1/auth/login', { email: user.email, password: 'not the password' });
      statuses.push(res.status);
      codes.add(res.body.error.code as string);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
    expect([...codes].sort()).toEqual(['invalid_credentials', 'locked_out', 'rate_limited']);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}): number =>
      total(after, name, labels) - total(before, name, labels);

    expect(moved('tessera_http_request_duration_seconds_count', { route: '/v1/auth/login' })).toBe(31);
    expect(moved('tessera_cache_lookups_total', { tier: 'l2' })).toBeGreaterThanOrEqual(10);
    expect(moved('tessera_session_writes_total')).toBeGreaterThanOrEqual(10);
    expect(moved('tessera_db_operation_duration_seconds_count', { operation: 'session_by_token' })).toBeGreaterThan(0);
    expect(moved('tessera_redis_operation_duration_seconds_count', { operation: 'get' })).toBeGreaterThanOrEqual(10);
    expect(moved('tessera_logins_total', { outcome: 'success' })).toBe(1);
    expect(moved('tessera_logins_total', { outcome: 'invalid_credentials' })).toBeGreaterThanOrEqual(1);
    expect(moved('tessera_logins_total', { outcome: 'locked_out' })).toBeGreaterThanOrEqual(1);
    expect(moved('tessera_logins_total', { outcome: 'rate_limited' })).toBeGreaterThanOrEqual(1);
    // Every 429 the burst got is one login counted as locked out or rate limited.
    expect(
      moved('tessera_logins_total', { outcome: 'locked_out' }) +
        moved('tessera_logins_total', { outcome: 'rate_limited' }),
    ).toBe(statuses.filter((s) => s === 429).length);
    expect(
      moved('tessera_rate_limit_decisions_total', { limiter: 'login', decision: 'allowed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      moved('tessera_rate_limit_decisions_total', { limiter: 'login', decision: 'limited' }),
    ).toBeGreaterThanOrEqual(1);
    expect(moved('tessera_rate_limit_decisions_total', { limiter: 'ip', decision: 'allowed' })).toBeGreaterThanOrEqual(
      31,
    );
    expect(moved('tessera_lockout_decisions_total', { scope: 'login', decision: 'allowed' })).toBeGreaterThanOrEqual(1);
    expect(moved('tessera_lockout_decisions_total', { scope: 'login', decision: 'locked' })).toBeGreaterThanOrEqual(1);
    expect(moved('tessera_security_events_total', { type: 'signup' })).toBe(1);
    expect(moved('tessera_security_events_total', { type: 'login_failure' })).toBeGreaterThanOrEqual(1);
    // Levels: the breaker is closed, the database has a size.
    expect(total(after, 'tessera_circuit_breaker_state', { breaker: 'redis', state: 'closed' })).toBe(1);
    // Sessions by state are sampled at most every 10 s: present, with the first sample's figures.
    expect(after).toMatch(/^tessera_sessions\{state="active"\} \d/m);
    expect(total(after, 'tessera_store_size_bytes')).toBeGreaterThan(0);
    expect(total(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(total(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(after).not.toContain(user.email);
    // The health score is published once readiness is computed; cleanup's timestamp once it ran (every second here).
    expect((await fetch(`${t.url}/ready`)).status).toBe(200);
    const later = await eventually(async () => {
      const text = await scrape();
      return total(text, 'tessera_session_cleanup_last_success_timestamp_seconds') > 0 ? text : undefined;
    });
    expect(total(later, 'tessera_health_score')).toBeGreaterThan(0);
  });
});

describe('/metrics with a token', () => {
  it('answers 401 in the one error shape without the token, 200 with it', async () => {
    const { default: Fastify } = await import('fastify');
    const { metricsRoutes } = await import('../../src/http/routes/metrics.js');
    const { createMetrics } = await import('../../src/observability/metrics.js');
    const { registerRouteGroups, testRouteHelpers } = await import('../helpers/route-groups.js');
    const metrics = createMetrics({ enabled: true, defaultCollectors: false });
    const app = Fastify();
    app.setErrorHandler((err: Error & { status?: number; code?: string }, _req, reply) =>
      reply.status(err.status ?? 500).send({ error: { code: err.code } }),
    );
    const helpers = testRouteHelpers(
      { observability: { metrics } as Observability, config: { metricsToken: 's3cret' } as Config },
      async () => {},
    );
    await registerRouteGroups(app, [metricsRoutes], helpers);
    const denied = await app.inject({ url: '/metrics' });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toEqual({ error: { code: 'unauthenticated' } });
    const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer s3cret' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('tessera_http_request_duration_seconds');
    await app.close();
    metrics.stop();
  });

  it('is absent with METRICS_ENABLED=false, and the no-op metrics cost nothing', async () => {
    const { createMetrics } = await import('../../src/observability/metrics.js');
    const metrics = createMetrics({ enabled: false });
    expect(metrics.enabled).toBe(false);
    metrics.cacheLookup('l1', 'hit');
    expect(await metrics.text()).toBe('');
  });
});
