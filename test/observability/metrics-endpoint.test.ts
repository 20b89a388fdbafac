import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/index.js';
import type { Observability } from '../../src/observability/index.js';
import { startHarness } from './harness.js';

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
    h.obs.metrics.securityEvent('credential_stuffing');
    h.obs.metrics.rateLimit('login_ip', 'limited');
    h.obs.metrics.lockout('email_ip', 'locked');
    h.obs.metrics.dbOp('sessions.findByTokenHash', 0.002);
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

  it('has every documented metric family, in base units', async () => {
    const text = await scrape();
    for (const family of [
      'tessera_http_request_duration_seconds',
      'tessera_cache_lookups_total',
      'tessera_db_operation_duration_seconds',
      'tessera_redis_operation_duration_seconds',
      'tessera_circuit_breaker_state',
      'tessera_sessions',
      'tessera_session_writes_total',
      'tessera_logins_total',
      'tessera_rate_limit_decisions_total',
      'tessera_lockout_decisions_total',
      'tessera_security_events_total',
      'tessera_store_size_bytes',
      'tessera_session_cleanup_last_success_timestamp_seconds',
      'nodejs_eventloop_lag_seconds',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ]) {
      expect(text, family).toMatch(new RegExp(`^# TYPE ${family} `, 'm'));
    }
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
