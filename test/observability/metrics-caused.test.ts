import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix } from '../../src/bench/services.js';
import { generateToken } from '../../src/sessions/token.js';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { apiClient, PASSWORD, startTestTessera, uniqueEmail, type TestTessera } from '../helpers/tessera.js';
import { eventually } from './harness.js';

/**
 * Every metric the README documents, caused for real (PostgreSQL, Redis, HTTP traffic, protection, jobs) and seen
 * to move with the labels it documents. Each group causes something and names the samples that must move (or,
 * for levels, be there); the last test checks that the README's table, the registered families and these groups
 * name the same metrics.
 */

type Labels = Record<string, string>;
/** A sample that must grow across the group's cause (`moved`) or hold a positive value after it (`level`). */
interface Row {
  metric: string;
  labels?: Labels;
  kind?: 'moved' | 'level';
}
interface Group {
  name: string;
  cause: (app: App) => Promise<void>;
  rows: Row[];
}

interface App {
  t: TestTessera;
  api: ReturnType<typeof apiClient>;
  from: (ip: string) => { 'x-forwarded-for': string };
  signUp: (ip: string) => Promise<{ email: string; token: string }>;
  admin: () => Promise<string>;
  redisProxy: TcpProxy;
  dbProxy: TcpProxy;
}

/** Sum of the samples of `name` whose labels include `labels`. */
function total(text: string, name: string, labels: Labels = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && want.every((w) => l.includes(w)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** The metric names of the README's metrics table (`| \`name\` | type | …`). */
function documentedMetrics(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/^\| `(tessera_[a-z_]+)` \|/gm)].map((m) => m[1]);
}

/** Families a scrape declares (`# TYPE name kind`). */
const declared = (text: string): string[] => [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);

/** A histogram is seen through its `_count`. */
const sampleName = (row: Row, types: Map<string, string>): string =>
  types.get(row.metric) === 'histogram' ? `${row.metric}_count` : row.metric;

const GROUPS: Group[] = [
  {
    name: 'validations through L1, L2 and the database, with activity writes',
    async cause({ api, signUp }) {
      const { token } = await signUp('10.0.1.1');
      const check = async (t: string, status: number) =>
        expect((await api('GET', '/v1/auth/session', undefined, { token: t })).status).toBe(status);
      await check(token, 200); // L1 hit (the login filled it)
      await new Promise((r) => setTimeout(r, 1_200)); // past SESSION_L1_TTL
      await eventually(async () => (await api('GET', '/v1/auth/session', undefined, { token })).status === 200);
      await new Promise((r) => setTimeout(r, 2_000)); // past half of SESSION_IDLE_TTL: the next check writes
      await check(token, 200);
      const unknown = generateToken();
      await check(unknown, 401); // L1 miss, L2 miss, database miss: remembered as unknown
      await check(unknown, 401); // L1 negative
    },
    rows: [
      { metric: 'tessera_http_request_duration_seconds', labels: { route: '/v1/auth/session', status_code: '200' } },
      { metric: 'tessera_http_request_duration_seconds', labels: { route: '/v1/auth/session', status_code: '401' } },
      { metric: 'tessera_cache_lookups_total', labels: { tier: 'l1', result: 'hit' } },
      { metric: 'tessera_cache_lookups_total', labels: { tier: 'l1', result: 'miss' } },
      { metric: 'tessera_cache_lookups_total', labels: { tier: 'l1', result: 'negative' } },
      { metric: 'tessera_cache_lookups_total', labels: { tier: 'l2', result: 'hit' } },
      { metric: 'tessera_cache_lookups_total', labels: { tier: 'l2', result: 'miss' } },
      { metric: 'tessera_cache_lookups_total', labels: { tier: 'db', result: 'miss' } },
      { metric: 'tessera_db_operation_duration_seconds', labels: { operation: 'session_by_token' } },
      { metric: 'tessera_redis_operation_duration_seconds', labels: { operation: 'get' } },
      { metric: 'tessera_session_writes_total', labels: { result: 'written' } },
      { metric: 'tessera_session_writes_total', labels: { result: 'skipped' } },
    ],
  },
  {
    name: 'a cache flushed everywhere: the next validation is answered by the database',
    async cause({ api, signUp, admin }) {
      const { token } = await signUp('10.0.2.1');
      const flushed = await api('DELETE', '/v1/admin/cache', undefined, { token: await admin() });
      expect(flushed.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_200)); // past SESSION_L1_TTL on this instance too
      expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
    },
    rows: [{ metric: 'tessera_cache_lookups_total', labels: { tier: 'db', result: 'hit' } }],
  },
  {
    name: 'signups, a brute-force run and the login rate limit, from one address',
    async cause({ api, from, signUp }) {
      const { email } = await signUp('10.0.3.1');
      const codes: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await api(
          'POST',
          '/v1/auth/login',
          { email, password: 'not the password' },
          { headers: from('10.0.3.2') },
        );
        codes.push(res.body.error.code as string);
      }
      expect(codes).toContain('locked_out');
      expect(codes).toContain('rate_limited');
      for (let i = 0; i < 4; i++)
        await api(
          'POST',
          '/v1/auth/signup',
          { email: uniqueEmail(), password: PASSWORD },
          { headers: from('10.0.3.3') },
        );
    },
    rows: [
      { metric: 'tessera_logins_total', labels: { outcome: 'success' } },
      { metric: 'tessera_logins_total', labels: { outcome: 'invalid_credentials' } },
      { metric: 'tessera_logins_total', labels: { outcome: 'locked_out' } },
      { metric: 'tessera_logins_total', labels: { outcome: 'rate_limited' } },
      { metric: 'tessera_lockout_decisions_total', labels: { scope: 'login', decision: 'allowed' } },
      { metric: 'tessera_lockout_decisions_total', labels: { scope: 'login', decision: 'locked' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'login', decision: 'allowed' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'login', decision: 'limited' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'signup', decision: 'allowed' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'signup', decision: 'limited' } },
      { metric: 'tessera_security_events_total', labels: { type: 'signup' } },
      { metric: 'tessera_security_events_total', labels: { type: 'login_failure' } },
    ],
  },
  {
    name: 'per-IP and per-user limits, a request spike throttled, an address refused by its reputation',
    async cause({ api, from, signUp }) {
      const sessions = (ip: string, token?: string) =>
        api('GET', '/v1/auth/sessions', undefined, { token, headers: from(ip) });
      for (let i = 0; i < 18; i++) await sessions('10.0.4.1'); // past RATE_LIMIT_IP_PER_MIN
      const { email, token } = await signUp('10.0.4.2');
      for (let i = 0; i < 20; i++) await sessions(`10.0.4.${10 + i}`, token); // past RATE_LIMIT_USER_PER_MIN
      // Past ANOMALY_SPIKE_PER_10S: throttled (and 30 reputation points off), then past the throttled limit.
      for (let i = 0; i < 30; i++) await sessions('10.0.4.200');
      // Failed logins, a lockout and a spike cost this address enough reputation to be refused.
      for (let i = 0; i < 10; i++)
        await api('POST', '/v1/auth/login', { email, password: 'not the password' }, { headers: from('10.0.4.201') });
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await sessions('10.0.4.201')).status);
      expect(statuses).toContain(429);
    },
    rows: [
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'ip', decision: 'allowed' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'ip', decision: 'limited' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'user', decision: 'allowed' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'user', decision: 'limited' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'throttled', decision: 'allowed' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'throttled', decision: 'limited' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'reputation', decision: 'limited' } },
    ],
  },
  {
    name: 'logins from a denied and a banned address',
    async cause({ api, from, admin }) {
      const body = { email: uniqueEmail(), password: PASSWORD };
      expect((await api('POST', '/v1/auth/login', body, { headers: from('203.0.113.5') })).status).toBe(403);
      const ban = await api(
        'POST',
        '/v1/admin/security/bans',
        { ip: '198.51.100.20', ttl: '1h', reason: 'test' },
        {
          token: await admin(),
        },
      );
      expect(ban.status).toBeLessThan(300);
      expect((await api('POST', '/v1/auth/login', body, { headers: from('198.51.100.20') })).status).toBe(403);
    },
    rows: [
      { metric: 'tessera_logins_total', labels: { outcome: 'blocked' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'denylist', decision: 'limited' } },
      { metric: 'tessera_rate_limit_decisions_total', labels: { limiter: 'ban', decision: 'limited' } },
    ],
  },
  {
    name: 'sessions by state: live, revoked, expired by idleness; the store has a size',
    async cause({ api, signUp, t }) {
      const kept = await signUp('10.0.6.1');
      const revoked = await signUp('10.0.6.2');
      expect((await api('POST', '/v1/auth/logout', undefined, { token: revoked.token })).status).toBe(204);
      await signUp('10.0.6.3'); // left alone: idle past SESSION_IDLE_TTL
      // The gauges are sampled at most every 10 s: wait for a sample that sees all three states.
      await eventually(
        async () => {
          await api('GET', '/v1/auth/session', undefined, { token: kept.token });
          const text = await (await fetch(`${t.url}/metrics`)).text();
          return ['active', 'revoked', 'expired'].every((state) => total(text, 'tessera_sessions', { state }) > 0);
        },
        25_000,
        500,
      );
    },
    rows: [
      { metric: 'tessera_sessions', labels: { state: 'active' }, kind: 'level' },
      { metric: 'tessera_sessions', labels: { state: 'revoked' }, kind: 'level' },
      { metric: 'tessera_sessions', labels: { state: 'expired' }, kind: 'level' },
      { metric: 'tessera_store_size_bytes', kind: 'level' },
    ],
  },
  {
    name: 'readiness computes the health score; a rule that holds fires an alert',
    async cause({ api, t, admin }) {
      expect((await fetch(`${t.url}/ready`)).status).toBe(200);
      const rules = [
        { name: 'Traffic', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'critical' },
      ];
      expect((await api('PUT', '/v1/admin/alerts/rules', { rules }, { token: await admin() })).status).toBe(200);
      await t.runtime.observability.evaluator!.tick();
    },
    rows: [
      { metric: 'tessera_health_score', kind: 'level' },
      { metric: 'tessera_alerts_firing', labels: { severity: 'critical' }, kind: 'level' },
      { metric: 'process_cpu_seconds_total' },
      { metric: 'nodejs_eventloop_lag_seconds', kind: 'level' },
    ],
  },
  {
    name: 'Redis cut: the breaker opens',
    async cause({ api, redisProxy, t }) {
      redisProxy.cut();
      try {
        await eventually(
          async () => {
            await api('GET', '/v1/auth/session', undefined, { token: generateToken() });
            const text = await (await fetch(`${t.url}/metrics`)).text();
            return total(text, 'tessera_circuit_breaker_state', { breaker: 'redis', state: 'open' }) === 1;
          },
          15_000,
          100,
        );
      } finally {
        redisProxy.restore();
      }
    },
    rows: [{ metric: 'tessera_circuit_breaker_state', labels: { breaker: 'redis', state: 'open' }, kind: 'level' }],
  },
  {
    name: 'PostgreSQL cut: a login fails with 503',
    async cause({ api, from, dbProxy }) {
      dbProxy.cut();
      try {
        const res = await api(
          'POST',
          '/v1/auth/login',
          { email: uniqueEmail(), password: PASSWORD },
          { headers: from('10.0.9.1') },
        );
        expect(res.status).toBeGreaterThanOrEqual(500);
      } finally {
        dbProxy.restore();
      }
    },
    rows: [{ metric: 'tessera_logins_total', labels: { outcome: 'error' } }],
  },
];

/** Cleanup runs on its own schedule: an embedded app with sessions that idle out within a second and a cleanup every second. */
const CLEANUP_ROWS: Row[] = [
  { metric: 'tessera_session_cleanup_deleted_total' },
  { metric: 'tessera_session_cleanup_last_success_timestamp_seconds', kind: 'level' },
];

describe('the cleanup job deletes idle sessions', () => {
  let t: TestTessera;
  beforeAll(async () => {
    t = await startTestTessera({ SESSION_IDLE_TTL: '1s', CLEANUP_INTERVAL: '1s', ALERT_EVAL_INTERVAL: '1h' });
  });
  afterAll(() => t?.stop());

  it('counts what it deleted and when it last succeeded', async () => {
    const api = apiClient(t.url);
    const scrape = async () => (await fetch(`${t.url}/metrics`)).text();
    const before = await scrape();
    for (let i = 0; i < 2; i++) {
      const email = uniqueEmail('cleanup');
      expect((await api('POST', '/v1/auth/signup', { email, password: PASSWORD })).status).toBe(201);
      expect((await api('POST', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    }
    const after = await eventually(
      async () => {
        const text = await scrape();
        return total(text, 'tessera_session_cleanup_deleted_total') >= 2 ? text : undefined;
      },
      15_000,
      250,
    );
    const failures = CLEANUP_ROWS.filter((row) =>
      row.kind === 'level' ? !(total(after, row.metric) > 0) : !(total(after, row.metric) > total(before, row.metric)),
    );
    expect(failures.map((r) => r.metric)).toEqual([]);
  });
});

/**
 * Metrics caused in a test of their own, where the cause needs its own setup (a pool held busy, a Redis at its
 * memory limit, a Cluster with replicas): each file causes the metric and checks that it moved.
 */
const CAUSED_ELSEWHERE: Record<string, string[]> = {
  'monitors-scaled.test.ts': [
    'tessera_db_query_duration_seconds',
    'tessera_db_slow_queries_total',
    'tessera_db_pool_clients',
    'tessera_db_pool_max_clients',
    'tessera_db_pool_acquire_seconds',
    'tessera_http_errors_total',
    'tessera_sessions_table_bytes',
    'tessera_redis_up',
    'tessera_redis_memory_used_bytes',
    'tessera_redis_memory_max_bytes',
    'tessera_redis_evicted_keys_total',
    'tessera_redis_keys',
    'tessera_redis_ops_per_second',
    'tessera_redis_node_latency_seconds',
  ],
  'redis-cluster-nodes.test.ts': ['tessera_redis_node_slots', 'tessera_redis_cluster_slots'],
};

it('every metric in the README table is caused by a group above or by the test file that owns it', () => {
  const caused = new Set([...GROUPS, { rows: CLEANUP_ROWS }].flatMap((g) => g.rows.map((r) => r.metric)));
  for (const [file, metrics] of Object.entries(CAUSED_ELSEWHERE)) {
    const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
    for (const metric of metrics) {
      expect(source, `${file} names ${metric}`).toContain(metric);
      caused.add(metric);
    }
  }
  expect(documentedMetrics().filter((n) => !caused.has(n))).toEqual([]);
});

describeWith(['redis', 'postgres'], 'every documented metric moves with its cause', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App;
  let types: Map<string, string>;
  const prefix = uniquePrefix('metrics-caused');
  const ADMIN = { email: 'metrics-admin@example.test', password: PASSWORD };

  beforeAll(async () => {
    db = await createTestDatabase();
    const dbUrl = new URL(db.url);
    const dbProxy = await startTcpProxy(Number(dbUrl.port || 5432), dbUrl.hostname);
    dbUrl.port = String(dbProxy.port);
    const redisUrl = new URL(REDIS_URL);
    const redisProxy = await startTcpProxy(Number(redisUrl.port || 6379), redisUrl.hostname);
    redisUrl.port = String(redisProxy.port);
    const t = await startTestTessera({
      DATABASE_URL: dbUrl.href,
      REDIS_URL: redisUrl.href,
      REDIS_KEY_PREFIX: prefix,
      TESSERA_ADMIN_EMAIL: ADMIN.email,
      TESSERA_ADMIN_PASSWORD: ADMIN.password,
      TRUST_PROXY: 'true',
      SESSION_L1_TTL: '1s',
      SESSION_IDLE_TTL: '4s',
      RATE_LIMIT_IP_PER_MIN: '15',
      RATE_LIMIT_LOGIN_PER_MIN: '8',
      RATE_LIMIT_SIGNUP_PER_MIN: '3',
      RATE_LIMIT_USER_PER_MIN: '15',
      RATE_LIMIT_THROTTLED_PER_MIN: '5',
      ANOMALY_SPIKE_PER_10S: '20',
      REPUTATION_THRESHOLD: '65',
      IP_DENYLIST: '203.0.113.0/24',
      ALERT_EVAL_INTERVAL: '1h',
      CLEANUP_INTERVAL: '1h',
    });
    const api = apiClient(t.url);
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    let adminIp = 0;
    app = {
      t,
      api,
      from,
      redisProxy,
      dbProxy,
      async signUp(ip) {
        const email = uniqueEmail('caused');
        expect(
          (await api('POST', '/v1/auth/signup', { email, password: PASSWORD }, { headers: from(ip) })).status,
        ).toBe(201);
        const login = await api('POST', '/v1/auth/login', { email, password: PASSWORD }, { headers: from(ip) });
        expect(login.status).toBe(200);
        return { email, token: login.body.token as string };
      },
      // A fresh admin session from a fresh address each time (sessions idle out after 4 s here).
      async admin() {
        const res = await api('POST', '/v1/auth/login', ADMIN, { headers: from(`192.0.2.${++adminIp}`) });
        expect(res.status).toBe(200);
        return res.body.token as string;
      },
    };
    const text = await (await fetch(`${t.url}/metrics`)).text();
    types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)/gm)].map((m) => [m[1], m[2]]));
  }, 60_000);
  afterAll(async () => {
    await app?.t.stop();
    await app?.redisProxy.close();
    await app?.dbProxy.close();
    await db?.drop();
    await deleteRedisPrefix(REDIS_URL, prefix);
  });

  for (const group of GROUPS) {
    it(
      group.name,
      async () => {
        const scrape = async () => (await fetch(`${app.t.url}/metrics`)).text();
        const before = await scrape();
        await group.cause(app);
        const after = await scrape();
        const failures = group.rows.filter((row) => {
          const name = sampleName(row, types);
          const now = total(after, name, row.labels);
          return row.kind === 'level' ? !(now > 0) : !(now > total(before, name, row.labels));
        });
        expect(failures.map((r) => `${r.metric}${JSON.stringify(r.labels ?? {})}`)).toEqual([]);
      },
      60_000,
    );
  }

  it('the README table and the registered families name the same metrics', async () => {
    const documented = documentedMetrics();
    const registered = declared(await (await fetch(`${app.t.url}/metrics`)).text());
    const own = registered.filter((n) => n.startsWith('tessera_'));
    expect([...own].sort()).toEqual([...documented].sort());
    // process_* and nodejs_* are documented as prom-client's default collectors, one row for all.
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain('| `process_*`, `nodejs_*` |');
    expect(registered.filter((n) => !n.startsWith('tessera_') && !/^(process|nodejs)_/.test(n))).toEqual([]);
  });
});
