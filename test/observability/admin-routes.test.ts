import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheAdmin } from '../../src/observability/index.js';
import { ADMIN_TOKEN, eventually, fetchJson as fetch, startHarness, USER_TOKEN } from './harness.js';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('admin metrics, alerts and cache API', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  let flushed = 0;
  const cache: CacheAdmin = {
    async stats() {
      return {
        l1: { size: 10, max: 100, hits: 90, misses: 10, evictions: 1 },
        l2: {
          hits: 8,
          misses: 2,
          errors: 0,
          breaker: 'closed',
          hotKeys: [{ key: 'sess:abc', count: 42 }],
          memory: { usedBytes: 1 << 20, maxBytes: 1 << 28, policy: 'allkeys-lru' },
        },
      };
    },
    async warm() {
      return { warmed: 5, bytes: 1234 };
    },
    async flush() {
      flushed++;
      return { l1: 10, l2: 7 };
    },
  };
  beforeAll(async () => {
    h = await startHarness({ cache, alertIntervalMs: 100_000 });
    h.obs.metrics.setSessionStatsSource(async () => ({ active: 7, expired: 2, revoked: 1, sizeBytes: 4096 }));
  });
  afterAll(() => h.close());
  const get = (path: string, headers: Record<string, string> = admin) => fetch(`${h.url}${path}`, { headers });

  it('answers 401 without a session and 403 without the admin role, in the one error shape', async () => {
    for (const path of [
      '/v1/admin/metrics/summary',
      '/v1/admin/alerts',
      '/v1/admin/cache',
      '/v1/admin/metrics/stream',
    ]) {
      const anon = await get(path, {});
      expect(anon.status, path).toBe(401);
      expect((await anon.json()).error.code).toBe('unauthenticated');
      const user = await get(path, { authorization: `Bearer ${USER_TOKEN}` });
      expect(user.status, path).toBe(403);
      expect((await user.json()).error.code).toBe('forbidden');
    }
  });

  it('summary: rates, percentiles, hit rates, sessions and a health score with reasons', async () => {
    for (let i = 0; i < 40; i++) await fetch(`${h.url}/v1/auth/session`);
    await fetch(`${h.url}/boom`);
    const s = await (await get('/v1/admin/metrics/summary')).json();
    expect(s.requestsPerSec).toBeGreaterThan(0);
    expect(s.errorRate).toBeGreaterThan(0);
    expect(s.p99Ms).toBeGreaterThan(0);
    expect(s.cacheHitRate.l1).toBe(0.9);
    expect(s.activeSessions).toBe(7);
    expect(s.health.score).toBeLessThan(100);
    expect(s.health.deductions.some((d: { factor: string }) => d.factor === 'error_rate')).toBe(true);
    expect(s.signals).toHaveProperty('p99_ms');
    expect(s.signals.expired_sessions).toBe(2);
  });

  it('history and export in json, csv and prometheus', async () => {
    const hist = await (await get('/v1/admin/metrics/history?window=1h')).json();
    expect(hist.points).toHaveLength(60);
    expect(hist.stepMs).toBe(60_000);
    const json = await (await get('/v1/admin/metrics/export?format=json&window=24h')).json();
    expect(json.points).toHaveLength(1440);
    const csv = await get('/v1/admin/metrics/export?format=csv&window=2h');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^time,requests,errors,requests_per_sec,error_rate,p50_ms,p95_ms,p99_ms,/);
    expect(lines).toHaveLength(121);
    const prom = await (await get('/v1/admin/metrics/export?format=prometheus&window=1h')).text();
    expect(prom).toContain('# TYPE tessera_history_p99_ms gauge');
    expect(prom).toMatch(/^tessera_history_requests \d+ \d{13}$/m);
  });

  it('rejects a bad window or format with 400 invalid_request', async () => {
    for (const q of ['window=forever', 'window=1s', 'window=30d', 'format=xml']) {
      const res = await get(`/v1/admin/metrics/export?${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.code).toBe('invalid_request');
    }
  });

  it('streams one summary a second over SSE', async () => {
    const controller = new AbortController();
    const res = await fetch(`${h.url}/v1/admin/metrics/stream`, { headers: admin, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const started = Date.now();
    while ((text.match(/event: summary/g) ?? []).length < 2) text += (await reader.read()).value ?? '';
    controller.abort();
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    const data = JSON.parse(/data: (.*)/.exec(text)![1]);
    expect(data).toHaveProperty('health.score');
  });

  it('alerts: list by state, ack and resolve through the API; rules GET/PUT with validation', async () => {
    const rules = await (await get('/v1/admin/alerts/rules')).json();
    expect(rules.rules.find((r: { name: string }) => r.name === 'HighLatencyP99')).toMatchObject({
      expr: 'p99_ms',
      op: '>',
      threshold: 1000,
      for: '2m',
    });
    const put = (body: unknown) =>
      fetch(`${h.url}/v1/admin/alerts/rules`, {
        method: 'PUT',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await put({ rules: [{ name: 'x', expr: 'nope', op: '>', threshold: 1 }] });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0].field).toBe('rules[0].expr');
    const ok = await put({
      rules: [{ name: 'AnyTraffic', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'info' }],
    });
    expect(ok.status).toBe(200);
    await fetch(`${h.url}/v1/auth/session`);
    await h.obs.evaluator!.tick();
    const firing = (await (await get('/v1/admin/alerts?state=firing')).json()).alerts;
    expect(firing).toHaveLength(1);
    const id = firing[0].id;
    expect(await (await fetch(`${h.url}/metrics`)).text()).toMatch(/^tessera_alerts_firing\{severity="info"\} 1$/m);
    const ack = await fetch(`${h.url}/v1/admin/alerts/${id}/ack`, { method: 'POST', headers: admin });
    expect((await ack.json()).alert).toMatchObject({ state: 'firing', acknowledgedBy: 'admin@example.com' });
    const resolved = await fetch(`${h.url}/v1/admin/alerts/${id}/resolve`, { method: 'POST', headers: admin });
    expect((await resolved.json()).alert.state).toBe('resolved');
    expect(
      (await (await get('/v1/admin/alerts?state=resolved')).json()).alerts.map((a: { id: string }) => a.id),
    ).toContain(id);
    expect(
      (await fetch(`${h.url}/v1/admin/alerts/does-not-exist/ack`, { method: 'POST', headers: admin })).status,
    ).toBe(404);
    expect((await get('/v1/admin/alerts?state=sleeping')).status).toBe(400);
  });

  it('cache: per-tier stats with hot keys and Redis memory, warm, flush', async () => {
    const stats = await (await get('/v1/admin/cache')).json();
    expect(stats.tiers.l1).toMatchObject({ size: 10, hitRate: 0.9 });
    expect(stats.tiers.l2).toMatchObject({
      hotKeys: [{ key: 'sess:abc', count: 42 }],
      memory: { policy: 'allkeys-lru' },
      hitRate: 0.8,
    });
    expect(stats.tiers.l1.recentHitRate).toBeGreaterThan(0.5);
    const warm = await fetch(`${h.url}/v1/admin/cache/warm`, { method: 'POST', headers: admin });
    expect((await warm.json()).warm.warmed).toBe(5);
    const del = await fetch(`${h.url}/v1/admin/cache`, { method: 'DELETE', headers: admin });
    expect((await del.json()).flushed).toEqual({ l1: 10, l2: 7 });
    expect(flushed).toBe(1);
  });

  it('serves the dashboard and uPlot locally', async () => {
    const page = await fetch(`${h.url}/admin`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/admin/app.js');
    const lib = await fetch(`${h.url}/admin/vendor/uPlot.esm.js`);
    expect(lib.status).toBe(200);
    expect(await lib.text()).toContain('export');
    await eventually(async () => (await fetch(`${h.url}/admin/style.css`)).ok);
  });
});
