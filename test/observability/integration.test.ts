import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  newSession,
  PASSWORD,
  startTestTessera,
  type ApiResponse,
  type TestTessera,
} from '../helpers/tessera.js';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';
import { eventually } from './harness.js';
import { tracesInFlight } from '../../src/store/trace-context.js';

const run = promisify(execFile);
const ADMIN_EMAIL = 'ops-admin@example.test';

/** The debug headers of a response, parsed. */
function timing(res: ApiResponse) {
  const header = res.headers.get('server-timing') ?? '';
  const dur = (name: string): number => Number(new RegExp(`(?:^|, )${name};dur=([\\d.]+)`).exec(header)?.[1] ?? NaN);
  return {
    status: res.status,
    header,
    cache: /cache;desc="(\w+)"/.exec(header)?.[1],
    db: dur('db'),
    redis: dur('redis'),
    dbQueries: Number(res.headers.get('x-db-queries')),
  };
}

function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('observability wired into the real app (embedded)', () => {
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  let adminToken: string;
  beforeAll(async () => {
    t = await startTestTessera({ TESSERA_ADMIN_EMAIL: ADMIN_EMAIL, TESSERA_ADMIN_PASSWORD: PASSWORD });
    api = apiClient(t.url);
    adminToken = (await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD })).body.token;
  });
  afterAll(() => t?.stop());

  it('/metrics passes promtool and its counters move with real traffic', async () => {
    const before = await (await fetch(`${t.url}/metrics`)).text();
    const user = await newSession(api);
    for (let i = 0; i < 20; i++)
      expect((await api('GET', '/v1/auth/session', undefined, { token: user.token })).status).toBe(200);
    await api('POST', '/v1/auth/login', { email: user.email, password: 'wrong password here' });
    // Empty the cache so the next check goes to the database.
    expect((await api('DELETE', '/v1/admin/cache', undefined, { token: adminToken })).status).toBe(200);
    expect((await api('GET', '/v1/auth/session', undefined, { token: user.token })).status).toBe(200);
    const after = await (await fetch(`${t.url}/metrics`)).text();
    const delta = (name: string, labels: Record<string, string>): number =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('tessera_cache_lookups_total', { tier: 'l1', result: 'hit' })).toBeGreaterThanOrEqual(19);
    expect(delta('tessera_session_writes_total', { result: 'skipped' })).toBeGreaterThanOrEqual(19);
    expect(delta('tessera_logins_total', { outcome: 'success' })).toBe(1);
    expect(delta('tessera_logins_total', { outcome: 'invalid_credentials' })).toBe(1);
    expect(delta('tessera_security_events_total', { type: 'signup' })).toBe(1);
    expect(
      delta('tessera_http_request_duration_seconds_count', {
        route: '/v1/auth/session',
        method: 'GET',
        status_code: '200',
      }),
    ).toBe(21);
    expect(delta('tessera_cache_lookups_total', { tier: 'l1', result: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(delta('tessera_cache_lookups_total', { tier: 'db', result: 'hit' })).toBe(1);
    const total = (text: string, name: string): number =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(total(after, 'tessera_db_operation_duration_seconds_count')).toBeGreaterThan(
      total(before, 'tessera_db_operation_duration_seconds_count'),
    );
    expect(sample(after, 'tessera_sessions', { state: 'active' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'tessera_store_size_bytes')).toBeGreaterThan(0);
    expect(after).not.toContain(user.email);
    expect(after).not.toContain(user.token);

    const dir = await mkdtemp(join(tmpdir(), 'promtool-'));
    try {
      await writeFile(join(dir, 'm.txt'), after);
      await run('sh', ['-c', `promtool check metrics < ${join(dir, 'm.txt')}`]).catch(
        (err: { stdout: string; stderr: string }) => {
          throw new Error(`promtool: ${err.stdout}${err.stderr}`);
        },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('debug headers: Server-Timing with the cache tier and X-DB-Queries, counted where the work happened', async () => {
    const user = await newSession(api);
    // Embedded: no Redis at all, so redis;dur is exactly zero; an L1 hit reads no database.
    const hit = await api('GET', '/v1/auth/session', undefined, { token: user.token });
    expect(hit.headers.get('server-timing')).toMatch(
      /^total;dur=[\d.]+, cache;desc="L1", db;dur=0\.00, redis;dur=0\.00$/,
    );
    expect(hit.headers.get('x-db-queries')).toBe('0');
    // From the database: the session and its user in one query, with its time.
    expect((await api('DELETE', '/v1/admin/cache', undefined, { token: adminToken })).status).toBe(200);
    const cold = timing(await api('GET', '/v1/auth/session', undefined, { token: user.token }));
    expect(cold.cache).toBe('DB');
    expect(cold.dbQueries).toBe(1);
    expect(cold.db).toBeGreaterThan(0);
    expect(cold.redis).toBe(0);
    // A route that does not authenticate a session: a login reads the user and writes the session and the audit.
    const login = timing(await api('POST', '/v1/auth/login', { email: user.email, password: PASSWORD }));
    expect(login.status).toBe(200);
    expect(login.dbQueries).toBeGreaterThanOrEqual(2);
    expect(login.db).toBeGreaterThan(0);
  });

  it('/ready carries the health score and its reasons; the summary agrees', async () => {
    const ready = await api('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('retry-after')).toBeNull();
    expect(Object.keys(ready.body).sort()).toEqual(['dependencies', 'reasons', 'score', 'status']);
    expect(ready.body.status).toBe('ready');
    // Embedded: SQLite and the in-process bus, no Redis; both up, so neither carries a detail.
    expect(ready.body.dependencies).toEqual([
      { name: 'database', ok: true },
      { name: 'bus', ok: true },
    ]);
    // The score is what the reasons leave of 100; none of them is a dependency (traffic, latency or lag may cost points).
    const reasons = ready.body.reasons as Array<{ points: number; reason: string }>;
    for (const r of reasons) {
      expect(Number.isInteger(r.points) && r.points > 0, JSON.stringify(r)).toBe(true);
      expect(r.reason).not.toMatch(/^(database|bus|redis) is /);
    }
    expect(Number.isInteger(ready.body.score)).toBe(true);
    expect(ready.body.score).toBeGreaterThanOrEqual(0);
    expect(ready.body.score).toBeLessThanOrEqual(100);
    expect(ready.body.score).toBe(Math.max(0, 100 - reasons.reduce((n, r) => n + r.points, 0)));
    const summary = await api('GET', '/v1/admin/metrics/summary', undefined, { token: adminToken });
    expect(summary.status).toBe(200);
    expect(summary.body.health.score).toBe(
      100 - summary.body.health.deductions.reduce((n: number, d: { points: number }) => n + d.points, 0),
    );
    expect(summary.body.dependencies).toEqual({ database: { state: 'up' }, bus: { state: 'up' } });
    expect(summary.body.activeSessions).toBeGreaterThanOrEqual(1);
  });

  it('/ready with the database gone: 503 unavailable, the dependency down with its error, 40 points taken', async () => {
    const own = await startTestTessera();
    try {
      const ownApi = apiClient(own.url);
      expect((await ownApi('GET', '/ready')).status).toBe(200);
      await own.runtime.store.close();
      const ready = await ownApi('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(ready.body.status).toBe('unavailable');
      const [database, bus] = ready.body.dependencies;
      expect(ready.body.dependencies).toHaveLength(2);
      expect(database).toEqual({ name: 'database', ok: false, detail: expect.any(String) });
      expect(database.detail.length).toBeGreaterThan(0);
      expect(bus).toEqual({ name: 'bus', ok: true });
      const reasons = ready.body.reasons as Array<{ points: number; reason: string }>;
      expect(reasons.filter((r) => / is (down|degraded)/.test(r.reason))).toEqual([
        { points: 40, reason: `database is down (${database.detail})` },
      ]);
      expect(ready.body.score).toBe(Math.max(0, 100 - reasons.reduce((n, r) => n + r.points, 0)));
      expect(ready.body.score).toBeLessThanOrEqual(60);
    } finally {
      await own.stop();
    }
  });

  it('admin endpoints: 403 for a plain user; cache stats, warm and flush; alerts and rules', async () => {
    const user = await newSession(api);
    expect((await api('GET', '/v1/admin/metrics/summary', undefined, { token: user.token })).status).toBe(403);
    expect((await api('GET', '/v1/admin/metrics/summary')).status).toBe(401);
    const cache = await api('GET', '/v1/admin/cache', undefined, { token: adminToken });
    expect(cache.status).toBe(200);
    expect(cache.body.tiers.l1.size).toBeGreaterThan(0);
    expect((await api('POST', '/v1/admin/cache/warm', undefined, { token: adminToken })).status).toBe(200);
    const flushed = await api('DELETE', '/v1/admin/cache', undefined, { token: adminToken });
    expect(flushed.body.flushed.l1).toBeGreaterThan(0);
    expect((await api('GET', '/v1/auth/session', undefined, { token: user.token })).status).toBe(200);
    const rules = await api('GET', '/v1/admin/alerts/rules', undefined, { token: adminToken });
    expect(rules.body.rules.length).toBeGreaterThanOrEqual(9);
    expect((await api('GET', '/v1/admin/alerts?state=firing', undefined, { token: adminToken })).status).toBe(200);
    const page = await fetch(`${t.url}/admin`);
    expect(page.status).toBe(200);
  });
});

describe('debug headers off in production', () => {
  it('absent with NODE_ENV=production, present again when DEBUG_HEADERS=true', async () => {
    for (const [env, expected] of [
      [{ NODE_ENV: 'production' }, false],
      [{ NODE_ENV: 'production', DEBUG_HEADERS: 'true' }, true],
    ] as const) {
      const t = await startTestTessera(env);
      try {
        const api = apiClient(t.url);
        const user = await newSession(api);
        const res = await api('GET', '/v1/auth/session', undefined, { token: user.token });
        expect(res.status).toBe(200);
        expect(res.headers.has('server-timing'), JSON.stringify(env)).toBe(expected);
        expect(res.headers.has('x-db-queries'), JSON.stringify(env)).toBe(expected);
        expect(res.headers.get('x-request-id')).toBeTruthy();
      } finally {
        await t.stop();
      }
    }
  });

  it('METRICS_ENABLED=false: no /metrics, no timing hook, the API still works', async () => {
    const t = await startTestTessera({ METRICS_ENABLED: 'false' });
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
      const api = apiClient(t.url);
      const user = await newSession(api);
      expect((await api('GET', '/v1/auth/session', undefined, { token: user.token })).status).toBe(200);
      expect(t.runtime.observability.metrics.enabled).toBe(false);
      const ready = await api('GET', '/ready');
      expect(ready.status).toBe(200);
      // Without metrics nothing but the dependencies can cost points, and they are up.
      expect(ready.body).toEqual({
        status: 'ready',
        score: 100,
        dependencies: [
          { name: 'database', ok: true },
          { name: 'bus', ok: true },
        ],
        reasons: [],
      });
    } finally {
      await t.stop();
    }
  });
});

describeWith(['redis', 'postgres'], 'observability wired into the real app (scaled: PostgreSQL + Redis, no L1)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  const prefix = uniquePrefix('obs-signals');
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startTestTessera({
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SESSION_L1_MAX: '0',
      TESSERA_ADMIN_EMAIL: ADMIN_EMAIL,
      TESSERA_ADMIN_PASSWORD: PASSWORD,
      ALERT_EVAL_INTERVAL: '1h',
    });
    api = apiClient(t.url);
  });
  afterAll(async () => {
    await t?.stop();
    await db?.drop();
    await deleteRedisPrefix(REDIS_URL, prefix);
  });

  it('an L2 validation reports its Redis time (Server-Timing, histogram by operation, summary)', async () => {
    const adminToken = (await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD })).body.token;
    const user = await newSession(api);
    const before = await (await fetch(`${t.url}/metrics`)).text();
    // The login's write-through to Redis is in the background, and Redis is trusted once the change log was read.
    const l2 = await eventually(async () => {
      const res = timing(await api('GET', '/v1/auth/session', undefined, { token: user.token }));
      return res.status === 200 && res.cache === 'L2' ? res : undefined;
    });
    expect(l2.redis).toBeGreaterThan(0);
    expect(l2.dbQueries).toBe(0);
    expect(l2.db).toBe(0);
    for (let i = 0; i < 10; i++) await api('GET', '/v1/auth/session', undefined, { token: user.token });
    const after = await (await fetch(`${t.url}/metrics`)).text();
    const gets = (text: string) => sample(text, 'tessera_redis_operation_duration_seconds_count', { operation: 'get' });
    expect(gets(after) - gets(before)).toBeGreaterThanOrEqual(11);
    const summary = await api('GET', '/v1/admin/metrics/summary', undefined, { token: adminToken });
    expect(summary.body.redisLatencyMs).toBeGreaterThan(0);
    expect(summary.body.signals.redis_latency_ms).toBeGreaterThan(0);
  });

  it('overlapping requests count their own queries; tracking is off again once none is in flight', async () => {
    const users = await Promise.all([newSession(api), newSession(api), newSession(api)]);
    const logins = await Promise.all(
      users.map(async (u) => timing(await api('POST', '/v1/auth/login', { email: u.email, password: PASSWORD }))),
    );
    for (const login of logins) expect(login.dbQueries).toBeGreaterThanOrEqual(2);
    await eventually(() => tracesInFlight() === 0);
    const after = timing(await api('POST', '/v1/auth/login', { email: users[0].email, password: PASSWORD }));
    expect(after.dbQueries).toBeGreaterThanOrEqual(2);
    await eventually(() => tracesInFlight() === 0);
  });

  it('a login counts its database queries and their time', async () => {
    const user = await newSession(api);
    const login = timing(await api('POST', '/v1/auth/login', { email: user.email, password: PASSWORD }));
    expect(login.status).toBe(200);
    expect(login.dbQueries).toBeGreaterThanOrEqual(2);
    expect(login.db).toBeGreaterThan(0);
    // The brute-force guard asked Redis before the password was checked.
    expect(login.redis).toBeGreaterThan(0);
  });
});
