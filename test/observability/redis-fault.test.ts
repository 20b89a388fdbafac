import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { closeRedisConnection, createRedisConnection, type RedisConnection } from '../../src/cache/index.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { createTestDatabase, describeWith, freePort } from '../helpers/services.js';
import { waitUntil } from '../helpers/poll.js';
import { startTestTessera } from '../helpers/tessera.js';
import { ADMIN_TOKEN, fetchJson as fetch, startHarness } from './harness.js';

describeWith(['redis'], 'observability with Redis gone', () => {
  let own: OwnRedis;
  let redis: RedisConnection;
  let h: Awaited<ReturnType<typeof startHarness>>;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  beforeAll(async () => {
    own = await startRedisServer();
    redis = createRedisConnection(loadConfig({ REDIS_URL: own.url, REDIS_TIMEOUT: '200ms' }), 'command', {
      onError: () => {},
    });
    h = await startHarness({ redis });
  });
  afterAll(async () => {
    await h.close();
    await closeRedisConnection(redis);
    await own.stop();
  });

  it('summary and history keep answering from this instance; alerts answer 503, never 500', async () => {
    for (let i = 0; i < 5; i++) await fetch(`${h.url}/v1/auth/session`);
    await h.obs.history!.tick();
    expect((await fetch(`${h.url}/v1/admin/alerts`, { headers: admin })).status).toBe(200);
    await own.stop();
    const summary = await fetch(`${h.url}/v1/admin/metrics/summary`, { headers: admin });
    expect(summary.status).toBe(200);
    expect((await summary.json()).requestsPerSec).toBeGreaterThan(0);
    const history = await fetch(`${h.url}/v1/admin/metrics/history?window=5m`, { headers: admin });
    expect(history.status).toBe(200);
    const alerts = await fetch(`${h.url}/v1/admin/alerts`, { headers: admin });
    expect(alerts.status).toBe(503);
    expect((await alerts.json()).error.code).toBe('unavailable');
    expect(await h.obs.evaluator!.tick()).toBe(true); // the local lease holds; the evaluation error is logged, not thrown
  });
});

/** The Redis entry of /ready, polled with no other traffic; resolves with how long it took to read `ok`. */
async function redisReadyWithin(url: string, ok: boolean, timeoutMs: number): Promise<number> {
  return waitUntil(
    async () => {
      const ready = await fetch(`${url}/ready`);
      const body = (await ready.json()) as { dependencies: Array<{ name: string; ok: boolean }> };
      return body.dependencies.find((d) => d.name === 'redis')?.ok === ok;
    },
    timeoutMs,
    `/ready reporting redis ok=${ok}`,
  );
}

describeWith(['postgres'], '/ready sees Redis down without cache traffic (heartbeat)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('REDIS_URL at a closed port: /ready shows Redis down within 10 s, with no traffic', async () => {
    const port = await freePort();
    const t = await startTestTessera({ DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      await redisReadyWithin(t.url, false, 10_000);
      const ready = await fetch(`${t.url}/ready`);
      expect(ready.status).toBe(200); // Redis down degrades; only the database makes the instance unready
    } finally {
      await t.stop();
    }
  });

  it('Redis killed while idle: /ready shows it down within 10 s, and up again once it is back', async () => {
    const own = await startRedisServer();
    const t = await startTestTessera({ DATABASE_URL: db.url, REDIS_URL: own.url, REDIS_TIMEOUT: '200ms' });
    try {
      await redisReadyWithin(t.url, true, 5_000);
      await own.stop();
      await redisReadyWithin(t.url, false, 10_000);
      await own.restart();
      await redisReadyWithin(t.url, true, 10_000);
    } finally {
      await t.stop();
      await own.stop();
    }
  });
});
