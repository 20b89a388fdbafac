import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisCluster, type OwnRedisCluster } from '../helpers/redis-cluster.js';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';

describeWith(['postgres'], 'Tessera on a 3-node Redis Cluster + PostgreSQL, two instances', () => {
  let cluster: OwnRedisCluster;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestTessera;
  let b: TestTessera;
  let apiA: ReturnType<typeof apiClient>;
  let apiB: ReturnType<typeof apiClient>;
  const prefix = uniquePrefix('cluster');

  beforeAll(async () => {
    [cluster, db] = await Promise.all([startRedisCluster(3), createTestDatabase()]);
    const env = { REDIS_CLUSTER_NODES: cluster.nodes.join(','), DATABASE_URL: db.url, REDIS_KEY_PREFIX: prefix };
    [a, b] = await Promise.all([startTestTessera(env), startTestTessera(env)]);
    apiA = apiClient(a.url);
    apiB = apiClient(b.url);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cluster?.stop();
    await db?.drop();
  });

  it('runs in scaled mode with Redis and the bus (cluster pub/sub) ready on both instances', async () => {
    for (const api of [apiA, apiB]) {
      // The bus subscribes in the background after start; until then /ready says so.
      await waitUntil(
        async () => (await api('GET', '/ready')).body.dependencies.find((d: { name: string }) => d.name === 'bus').ok,
        5000,
      );
      const ready = await api('GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.dependencies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'redis', ok: true }),
          expect.objectContaining({ name: 'bus', ok: true }),
        ]),
      );
    }
  });

  it('a session opened on A validates on B from L2 (Redis Cluster), without the database', async () => {
    const { token } = await newSession(apiA);
    const key = `${prefix}c:sess:${createHash('sha256').update(token).digest('base64url')}`;
    const client = new Cluster(cluster.nodes.map((n) => ({ host: n.split(':')[0], port: Number(n.split(':')[1]) })));
    try {
      await waitUntil(async () => (await client.exists(key)) === 1, 1000); // A's write-through is asynchronous
    } finally {
      client.disconnect();
    }
    const res = await apiB('GET', '/v1/auth/session', undefined, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/cache;desc="L2"/);
    expect(res.headers.get('x-db-queries')).toBe('0');
    const again = await apiB('GET', '/v1/auth/session', undefined, { token });
    expect(again.headers.get('server-timing')).toMatch(/cache;desc="L1"/);
  });

  it('a logout on A is seen by B within 1 s, though B held the session in its L1', async () => {
    expect(b.runtime.bus.connected).toBe(true); // so the 1 s is the bus at work, not B distrusting its L1
    const { token } = await newSession(apiA);
    for (let i = 0; i < 3; i += 1)
      expect((await apiB('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
    expect((await apiA('POST', '/v1/auth/logout', undefined, { token })).status).toBe(204);
    const took = await waitUntil(
      async () => (await apiB('GET', '/v1/auth/session', undefined, { token })).status === 401,
      1000,
    );
    expect(took).toBeLessThan(1000);
    // And it stays dead (no stale copy comes back from L2 or L1).
    for (let i = 0; i < 5; i += 1)
      expect((await apiB('GET', '/v1/auth/session', undefined, { token })).status).toBe(401);
  });
});
