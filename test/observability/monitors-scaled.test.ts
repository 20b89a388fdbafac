import net from 'node:net';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { eventually } from './harness.js';
import { promSample } from './support/prometheus.js';

/** This file's fixed port (the monitors range 33000-33099): a Redis of its own with a tiny maxmemory. */
const REDIS_PORT = 33001;

describeWith(
  ['postgres'],
  'monitors on a scaled server: pool, queries, sessions table, Redis INFO, error classes',
  () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let proxy: TcpProxy;
    let redis: OwnRedis;
    let server: TestTessera;
    let api: ReturnType<typeof apiClient>;
    let admin: string;
    const logLines: Array<Record<string, unknown>> = [];
    const ADMIN = 'monitors-admin@example.test';
    const node = `127.0.0.1:${REDIS_PORT}`;

    const scrape = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();
    const summary = async () => (await api('GET', '/v1/admin/metrics/summary', undefined, { token: admin })).body;

    beforeAll(async () => {
      db = await createTestDatabase();
      proxy = await startTcpProxy(Number(new URL(db.url).port || 5432), new URL(db.url).hostname);
      const viaProxy = new URL(db.url);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      redis = await startRedisServer(['--maxmemory', '3mb', '--maxmemory-policy', 'allkeys-lru'], { port: REDIS_PORT });
      const logger = pino(
        { level: 'warn' },
        new Writable({
          write(chunk, _enc, done) {
            for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
            done();
          },
        }),
      );
      server = await startTestTessera(
        {
          DATABASE_URL: viaProxy.toString(),
          DATABASE_POOL_MAX: '2',
          DATABASE_SLOW_QUERY: '40ms',
          REDIS_URL: redis.url,
          MONITOR_INTERVAL: '1s',
          HEADERS_TIMEOUT: '300ms',
          REQUEST_TIMEOUT: '600ms',
          ALERT_EVAL_INTERVAL: '1h',
          TESSERA_ADMIN_EMAIL: ADMIN,
          TESSERA_ADMIN_PASSWORD: PASSWORD,
        },
        { logger },
      );
      server.runtime.startJobs();
      api = apiClient(server.url);
      admin = (await api('POST', '/v1/auth/login', { email: ADMIN, password: PASSWORD })).body.token;
    }, 30_000);

    afterAll(async () => {
      await server?.stop();
      await proxy?.close();
      await redis?.stop();
      await db?.drop();
    });

    it('errors are split into 5xx, 4xx and timeouts, with the average latency beside the percentiles', async () => {
      const before = await scrape();
      expect((await api('GET', '/v1/auth/session', undefined, { token: 'tss_not_a_token' })).status).toBe(401);

      // A client that never finishes its headers: Node answers 408 and closes, before any route sees it.
      const answer = await new Promise<string>((resolve) => {
        const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () =>
          socket.write('GET /health HTTP/1.1\r\nHost: x\r\n'),
        );
        let got = '';
        socket.on('data', (d: Buffer) => (got += d.toString()));
        socket.on('close', () => resolve(got));
        socket.on('error', () => resolve(got));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);

      // The database cut: a login answers 503.
      proxy.cut();
      const refused = await api('POST', '/v1/auth/login', { email: 'nobody@example.test', password: PASSWORD });
      proxy.restore();
      expect(refused.status).toBeGreaterThanOrEqual(500);

      const after = await scrape();
      const moved = (cls: string) =>
        (promSample(after, 'tessera_http_errors_total', { class: cls }) ?? 0) -
        (promSample(before, 'tessera_http_errors_total', { class: cls }) ?? 0);
      expect(moved('4xx')).toBeGreaterThanOrEqual(1);
      expect(moved('timeout')).toBeGreaterThanOrEqual(1);
      expect(moved('5xx')).toBeGreaterThanOrEqual(1);

      const s = await eventually(async () => {
        const s = await summary();
        return s.timeoutsPerMin > 0 && s.errorRate > 0 && s.clientErrorRate > 0 ? s : undefined;
      });
      expect(s.avgMs).toBeGreaterThan(0);
      expect(s.signals.avg_ms).toBe(s.avgMs);
      expect(s.signals.client_error_rate).toBeGreaterThan(0);
      expect(s.signals.timeouts_per_min).toBeGreaterThan(0);
    });

    it('every query is timed by statement name; slow ones are counted and logged without their parameters', async () => {
      const before = await scrape();
      proxy.setDelay(30); // each way: a round trip takes 60 ms or more, over DATABASE_SLOW_QUERY (40 ms)
      const email = `slow-${Date.now()}@example.test`;
      try {
        expect((await api('POST', '/v1/auth/signup', { email, password: PASSWORD })).status).toBe(201);
      } finally {
        proxy.setDelay(0);
      }
      const after = await scrape();
      expect(
        promSample(after, 'tessera_db_query_duration_seconds_count', { statement: 'users.insert' }),
      ).toBeGreaterThan(
        promSample(before, 'tessera_db_query_duration_seconds_count', { statement: 'users.insert' }) ?? 0,
      );
      expect(promSample(after, 'tessera_db_slow_queries_total', { statement: 'users.insert' })).toBeGreaterThan(
        promSample(before, 'tessera_db_slow_queries_total', { statement: 'users.insert' }) ?? 0,
      );
      const line = logLines.find((l) => l.msg === 'slow database query' && l.statement === 'users.insert');
      expect(line).toMatchObject({ statement: 'users.insert', thresholdMs: 40 });
      expect(line!.durationMs as number).toBeGreaterThanOrEqual(40);
      expect(JSON.stringify(logLines)).not.toContain(email);
      const s = await eventually(async () => ((await summary()).slowQueriesPerMin > 0 ? summary() : undefined));
      expect(s.signals.slow_queries_per_min).toBeGreaterThan(0);
      expect(s.signals.db_latency_ms).toBeGreaterThan(40);
    });

    it('the pool: total, idle and waiting clients, checkout waits, and the pool-exhausted alert', async () => {
      const store = server.runtime.store;
      const before = await scrape();
      // Both clients (DATABASE_POOL_MAX=2) busy for 1.5 s; a third query waits for one.
      const busy = [1, 2].map(() => sql`select pg_sleep(1.5)`.execute(store.db));
      await new Promise((r) => setTimeout(r, 100));
      const waiter = sql`select 1 as one`.execute(store.db);
      await new Promise((r) => setTimeout(r, 200));
      const during = await scrape();
      expect(promSample(during, 'tessera_db_pool_clients', { state: 'waiting' })).toBeGreaterThanOrEqual(1);
      expect(promSample(during, 'tessera_db_pool_clients', { state: 'total' })).toBe(2);
      expect(promSample(during, 'tessera_db_pool_clients', { state: 'idle' })).toBe(0);
      expect(promSample(during, 'tessera_db_pool_max_clients')).toBe(2);
      const waiting = await eventually(async () => {
        const s = await summary();
        return s.signals.db_pool_waiting >= 1 ? s : undefined;
      }, 3_000);
      expect(waiting.dbPool).toMatchObject({ max: 2, total: 2 });
      expect(waiting.signals.db_pool_in_use_ratio).toBe(1);

      const put = await api(
        'PUT',
        '/v1/admin/alerts/rules',
        {
          rules: [
            {
              name: 'DatabasePoolExhausted',
              expr: 'db_pool_waiting',
              op: '>',
              threshold: 0,
              for: '0',
              severity: 'critical',
            },
          ],
        },
        { token: admin },
      );
      expect(put.status).toBe(200);
      await server.runtime.observability.evaluator!.tick();
      const firing = (await api('GET', '/v1/admin/alerts?state=firing', undefined, { token: admin })).body.alerts;
      expect(firing.map((a: { rule: string }) => a.rule)).toContain('DatabasePoolExhausted');

      await Promise.all([...busy, waiter]);
      const after = await scrape();
      const waits =
        (promSample(after, 'tessera_db_pool_acquire_seconds_sum') ?? 0) -
        (promSample(before, 'tessera_db_pool_acquire_seconds_sum') ?? 0);
      expect(waits).toBeGreaterThan(1); // the third query waited about 1.2 s for a client
      expect(promSample(after, 'tessera_db_pool_acquire_seconds_count')).toBeGreaterThan(
        promSample(before, 'tessera_db_pool_acquire_seconds_count') ?? 0,
      );
      const s = await summary();
      expect(s.signals.db_pool_acquire_ms).toBeGreaterThan(1000);
    });

    it('the sessions table: size and expired-but-not-cleaned sessions, polled on MONITOR_INTERVAL', async () => {
      for (let i = 0; i < 3; i++) await newSession(api);
      const store = server.runtime.store;
      await sql`update sessions set expires_at = 1 where id in (select id from sessions where revoked_at is null and user_id <> (select id from users where email = ${ADMIN}) limit 2)`.execute(
        store.db,
      );
      const text = await eventually(
        async () => {
          const t = await scrape();
          return (promSample(t, 'tessera_sessions', { state: 'expired' }) ?? 0) >= 2 ? t : undefined;
        },
        5_000,
        200,
      );
      expect(promSample(text, 'tessera_sessions_table_bytes')).toBeGreaterThan(8192);
      const s = await summary();
      expect(s.expiredSessions).toBeGreaterThanOrEqual(2);
      expect(s.sessionsTableBytes).toBeGreaterThan(8192);
      expect(s.signals.sessions_table_bytes).toBe(s.sessionsTableBytes);
      expect(s.uptimeSec).toBeGreaterThanOrEqual(0);
    });

    it('Redis INFO from the one poller: memory, evictions, keys, ops/s and latency of the node', async () => {
      const first = await eventually(() => server.runtime.observability.redisInfo?.latest(), 3_000);
      expect(first.nodes).toHaveLength(1);
      const direct = new Redis(redis.url);
      try {
        const value = 'x'.repeat(1024);
        // Far past maxmemory (3 MB): Redis evicts; keep writing until the poller has seen evictions and traffic.
        const text = await eventually(
          async () => {
            const pipeline = direct.pipeline();
            for (let i = 0; i < 2000; i++) pipeline.set(`monitors-fill:${Math.random()}`, value);
            await pipeline.exec();
            const t = await scrape();
            const seen = (name: string) => promSample(t, name, { node, role: 'master' }) ?? 0;
            return seen('tessera_redis_evicted_keys_total') > 0 && seen('tessera_redis_ops_per_second') > 0
              ? t
              : undefined;
          },
          10_000,
          300,
        );
        const value_ = (name: string) => promSample(text, name, { node, role: 'master' });
        expect(value_('tessera_redis_up')).toBe(1);
        expect(value_('tessera_redis_memory_used_bytes')).toBeGreaterThan(1_000_000);
        expect(value_('tessera_redis_memory_max_bytes')).toBe(3 * 1024 * 1024);
        expect(value_('tessera_redis_keys')).toBeGreaterThan(100);
        expect(value_('tessera_redis_node_latency_seconds')).toBeGreaterThan(0);

        const s = await eventually(
          async () => {
            const s = await summary();
            return s.signals.redis_evictions_per_min > 0 ? s : undefined;
          },
          5_000,
          200,
        );
        expect(s.redis.nodes[0]).toMatchObject({ node, role: 'master', up: true, policy: 'allkeys-lru' });
        expect(s.signals.redis_memory_ratio).toBeGreaterThan(0.5);
        expect(s.signals.redis_keys).toBeGreaterThan(100);
        expect(s.signals.redis_nodes_down).toBe(0);
        expect(s.signals.redis_cluster_slots_ok).toBeNull(); // not a Cluster

        const cache = (await api('GET', '/v1/admin/cache', undefined, { token: admin })).body;
        expect(cache.redis.nodes.map((n: { node: string }) => n.node)).toEqual([node]);
        for (const hot of cache.tiers.l2.hotKeys) expect(hot.node).toBe(node);
      } finally {
        direct.disconnect();
      }
    });
  },
);
