import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreaker } from '../../src/cache/breaker.js';
import { createRedisBus } from '../../src/cache/bus-redis.js';
import { createRedisL2 } from '../../src/cache/l2-redis.js';
import {
  closeRedisConnection,
  createRedisConnection,
  waitForRedisReady,
  type RedisConnection,
} from '../../src/cache/redis-client.js';
import type { BusMessage, L2Cache } from '../../src/cache/types.js';
import { startRedisCluster, type OwnRedisCluster } from '../helpers/redis-cluster.js';
import { waitUntil } from '../helpers/poll.js';

describe('cache on a 3-master Redis Cluster', () => {
  let cluster: OwnRedisCluster;
  let command: RedisConnection;
  let l2: L2Cache;
  const direct: Redis[] = [];
  const opened: RedisConnection[] = [];
  const config = () => ({ redisClusterNodes: cluster.nodes, redisTimeout: 1000 });

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    command = createRedisConnection(config(), 'command');
    opened.push(command);
    expect(await waitForRedisReady(command, 10_000)).toBe(true);
    const breaker = createBreaker('redis', { failureThreshold: 5, halfOpenAfterMs: 1000 });
    l2 = createRedisL2(command, { prefix: 'tss:c:', breaker, compressThreshold: 100, hotKeys: 5 });
    for (const server of cluster.servers) direct.push(new Redis({ port: server.port, host: '127.0.0.1' }));
  });

  afterAll(async () => {
    for (const d of direct) d.disconnect();
    await Promise.all(opened.map((c) => closeRedisConnection(c)));
    await cluster?.stop();
  });

  it('round-trips a plain and a compressed value', async () => {
    await l2.set('one', 'v1', 10_000);
    const big = 'cluster '.repeat(500);
    await l2.set('big', big, 10_000);
    expect(await l2.get('one')).toBe('v1');
    expect(await l2.get('big')).toBe(big);
  });

  it('reads and writes keys spread over slots of every master', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => `k${i}`);
    await l2.setMany(keys.map((key) => ({ key, value: `value-${key}`, ttlMs: 10_000 })));
    const sizes = await Promise.all(direct.map((d) => d.dbsize()));
    expect(sizes.every((n) => n > 0)).toBe(true); // every master holds some of them
    const got = await l2.mget([...keys, 'absent']);
    expect(got).toEqual([...keys.map((key) => `value-${key}`), undefined]);
    await l2.del(keys.slice(0, 30));
    const after = await l2.mget(keys);
    expect(after.filter((v) => v === undefined)).toHaveLength(30);
    expect(after.slice(30)).toEqual(keys.slice(30).map((key) => `value-${key}`));
  });

  it('flush deletes our prefix on every master, and nothing else', async () => {
    const probe = createRedisConnection(config(), 'command');
    opened.push(probe);
    await waitForRedisReady(probe, 10_000);
    await probe.set('other:keep', '1');
    await l2.setMany(Array.from({ length: 100 }, (_, i) => ({ key: `f${i}`, value: 'v', ttlMs: 10_000 })));
    const expected = (await Promise.all(direct.map((d) => d.keys('tss:c:*')))).flat().length;
    expect(expected).toBeGreaterThanOrEqual(100);
    expect(await l2.flush()).toBe(expected);
    expect((await Promise.all(direct.map((d) => d.keys('tss:c:*')))).flat()).toEqual([]);
    expect(await probe.get('other:keep')).toBe('1');
    const stats = await l2.stats();
    expect(stats.memory!.usedBytes).toBeGreaterThan(0);
    expect(stats.memory!.policy).toBeTruthy();
  });

  it('carries bus messages between two instances', async () => {
    const make = (id: string) => {
      const cmd = createRedisConnection(config(), 'command');
      const sub = createRedisConnection(config(), 'subscriber');
      opened.push(cmd, sub);
      return createRedisBus(cmd, sub, { channel: 'tss:bus', instanceId: id, heartbeatMs: 100 });
    };
    const a = make('A');
    const b = make('B');
    const received: BusMessage[] = [];
    b.subscribe((m) => received.push(m));
    expect(await a.waitUntilConnected(10_000)).toBe(true);
    expect(await b.waitUntilConnected(10_000)).toBe(true);
    await a.publish({ kind: 'revisions', revisions: [{ id: 'u1', revision: 7 }] });
    await waitUntil(() => received.length > 0, 5000, 'B receives');
    expect(received).toEqual([{ kind: 'revisions', revisions: [{ id: 'u1', revision: 7 }] }]);
    await Promise.all([a.close(), b.close()]);
  });

  // Last: it takes the cluster down. A Cluster connection reports no per-node close, so this is the heartbeat's job.
  it('notices through heartbeats when the cluster goes away', async () => {
    const bus = createRedisBus(
      command,
      (() => {
        const sub = createRedisConnection(config(), 'subscriber');
        opened.push(sub);
        return sub;
      })(),
      { channel: 'tss:bus', instanceId: 'C', heartbeatMs: 100, heartbeatTimeoutMs: 400 },
    );
    const changes: boolean[] = [];
    bus.onStateChange((c) => changes.push(c));
    expect(await bus.waitUntilConnected(10_000)).toBe(true);
    const before = Date.now();
    await Promise.all(cluster.servers.map((s) => s.stop()));
    await waitUntil(() => !bus.connected, 3000, 'bus lost');
    expect(changes).toEqual([true, false]); // connected at start, then lost
    expect(bus.lostAt).toBeGreaterThanOrEqual(before - 400);
    expect(bus.lostAt).toBeLessThanOrEqual(before + 100);
    const closing = Date.now();
    await bus.close();
    expect(Date.now() - closing).toBeLessThan(1000); // close never waits on a dead Redis
  });
});
