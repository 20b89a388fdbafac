import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Validates every token in a loop for `ms`, counting answers that are not 200. */
async function traffic(
  api: ReturnType<typeof apiClient>,
  tokens: string[],
  ms: number,
): Promise<{ total: number; failed: number }> {
  let total = 0;
  let failed = 0;
  const deadline = Date.now() + ms;
  await Promise.all(
    tokens.map(async (token) => {
      while (Date.now() < deadline) {
        const res = await api('GET', '/v1/auth/session', undefined, { token });
        total += 1;
        if (res.status !== 200) failed += 1;
      }
    }),
  );
  return { total, failed };
}

describeWith(['postgres'], 'Redis slow or down under traffic (private redis-server)', () => {
  let redis: OwnRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestTessera;
  let b: TestTessera;
  let apiA: ReturnType<typeof apiClient>;
  let apiB: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    redis = await startRedisServer();
    db = await createTestDatabase();
    // Short L1 lifetime so traffic actually exercises L2 and the fallback to the database.
    const env = { REDIS_URL: redis.url, DATABASE_URL: db.url, REDIS_TIMEOUT: '100ms', SESSION_L1_TTL: '200ms' };
    a = await startTestTessera(env);
    b = await startTestTessera(env);
    apiA = apiClient(a.url);
    apiB = apiClient(b.url);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await db?.drop();
  });

  it('paused Redis (SIGSTOP): validations keep succeeding through the database, the breaker opens and closes by itself', async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map(async () => (await newSession(apiA)).token));
    expect((await traffic(apiA, tokens, 300)).failed).toBe(0);
    redis.pause();
    try {
      const during = await traffic(apiA, tokens, 2000);
      expect(during.total).toBeGreaterThan(20);
      expect(during.failed).toBe(0);
      expect(a.runtime.l2!.available).toBe(false);
      const ready = await apiA('GET', '/ready');
      expect(ready.body.dependencies).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'redis', ok: false })]),
      );
    } finally {
      redis.resume();
    }
    await waitUntil(async () => {
      await traffic(apiA, tokens.slice(0, 1), 100);
      return a.runtime.l2!.available;
    }, 10_000);
    expect((await traffic(apiA, tokens, 300)).failed).toBe(0);
  });

  it('a session revoked while the bus is down is never served from a stale L1', async () => {
    const { token } = await newSession(apiA);
    expect((await apiB('GET', '/v1/auth/session', undefined, { token })).status).toBe(200); // cached in B's L1
    redis.pause();
    try {
      await waitUntil(() => !b.runtime.bus.connected, 5000); // B notices the bus is gone
      expect((await apiA('POST', '/v1/auth/logout', undefined, { token })).status).toBe(204); // the bus message is lost
      await sleep(1100);
      expect((await apiB('GET', '/v1/auth/session', undefined, { token })).status).toBe(401);
    } finally {
      redis.resume();
    }
    await waitUntil(() => b.runtime.bus.connected, 10_000);
    expect((await apiB('GET', '/v1/auth/session', undefined, { token })).status).toBe(401);
  });

  it('killed Redis: nothing fails; restarted Redis is used again without a restart of Tessera', async () => {
    const tokens = await Promise.all([1, 2, 3].map(async () => (await newSession(apiA)).token));
    await redis.stop();
    const during = await traffic(apiA, tokens, 1500);
    expect(during.failed).toBe(0);
    const login = await apiA('POST', '/v1/auth/login', {
      email: (await newSession(apiA)).email,
      password: 'correct horse battery staple',
    });
    expect(login.status).toBe(200); // writes go to PostgreSQL: Redis is only a cache
    await redis.restart();
    await waitUntil(async () => {
      await traffic(apiA, tokens.slice(0, 1), 100);
      return a.runtime.l2!.available && a.runtime.bus.connected;
    }, 15_000);
    expect((await traffic(apiA, tokens, 300)).failed).toBe(0);
  });
});
