import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBreaker } from '../../src/cache/breaker.js';
import { createRedisL2 } from '../../src/cache/l2-redis.js';
import {
  closeRedisConnection,
  createRedisConnection,
  waitForRedisReady,
  type RedisConnection,
} from '../../src/cache/redis-client.js';
import type { L2Cache } from '../../src/cache/types.js';
import { DependencyError } from '../../src/errors/index.js';
import { REDIS_URL, describeWith, uniquePrefix } from '../helpers/services.js';

describeWith(['redis'], 'L2 on Redis', () => {
  let connection: RedisConnection;
  let raw: Redis;
  let prefix: string;
  let l2: L2Cache;

  beforeAll(async () => {
    connection = createRedisConnection({ redisUrl: REDIS_URL, redisTimeout: 1000 }, 'command');
    raw = new Redis(REDIS_URL);
    expect(await waitForRedisReady(connection, 5000)).toBe(true);
    prefix = uniquePrefix('l2');
    const breaker = createBreaker('redis', { failureThreshold: 5, halfOpenAfterMs: 1000 });
    l2 = createRedisL2(connection, { prefix, breaker, compressThreshold: 256, hotKeys: 3 });
  });

  afterAll(async () => {
    await l2?.flush().catch(() => {});
    await l2?.close();
    await closeRedisConnection(connection);
    raw?.disconnect();
  });

  it('round-trips values under the prefix, including non-ASCII text', async () => {
    await l2.set('a', 'héllo ✓', 10_000);
    expect(await l2.get('a')).toBe('héllo ✓');
    expect(await raw.get(`${prefix}a`)).toBe('héllo ✓');
    expect(await l2.get('missing')).toBeUndefined();
    expect(l2.available).toBe(true);
  });

  it('compresses values above the threshold and reads them back equal', async () => {
    const big = JSON.stringify({
      data: Array.from({ length: 200 }, (_, i) => ({ i, role: 'member', note: 'the same words again' })),
    });
    await l2.set('big', big, 10_000);
    const stored = await raw.getBuffer(`${prefix}big`);
    expect(stored).not.toBeNull();
    expect(stored!.length).toBeLessThan(big.length / 4);
    expect(stored![0]).toBe(0xff);
    expect(await l2.get('big')).toBe(big);
    // just under the threshold: stored as is
    const small = 'x'.repeat(200);
    await l2.set('small', small, 10_000);
    expect(await raw.get(`${prefix}small`)).toBe(small);
  });

  it('reads many keys at once, with misses in place', async () => {
    const big = 'y'.repeat(5000);
    await l2.setMany([
      { key: 'm1', value: 'one', ttlMs: 10_000 },
      { key: 'm3', value: big, ttlMs: 10_000 },
    ]);
    expect(await l2.mget(['m1', 'm2', 'm3'])).toEqual(['one', undefined, big]);
    expect(await l2.mget([])).toEqual([]);
  });

  it('sets many keys with their own TTLs', async () => {
    await l2.setMany([
      { key: 't1', value: '1', ttlMs: 60_000 },
      { key: 't2', value: '2', ttlMs: 5_000 },
    ]);
    const ttl1 = await raw.pttl(`${prefix}t1`);
    const ttl2 = await raw.pttl(`${prefix}t2`);
    expect(ttl1).toBeGreaterThan(50_000);
    expect(ttl1).toBeLessThanOrEqual(60_000);
    expect(ttl2).toBeGreaterThan(0);
    expect(ttl2).toBeLessThanOrEqual(5_000);
  });

  it('deletes several keys', async () => {
    await l2.setMany(['d1', 'd2', 'd3'].map((key) => ({ key, value: key, ttlMs: 10_000 })));
    await l2.del(['d1', 'd2']);
    expect(await l2.mget(['d1', 'd2', 'd3'])).toEqual([undefined, undefined, 'd3']);
    await l2.del([]);
  });

  it('flush deletes only keys under its own prefix', async () => {
    const other = uniquePrefix('l2-other');
    await raw.set(`${other}keep`, '1', 'PX', 10_000);
    // a prefix that is a glob must be matched literally
    await raw.set(`${prefix.slice(0, -1)}X`, 'neighbour', 'PX', 10_000);
    await l2.setMany(Array.from({ length: 1200 }, (_, i) => ({ key: `f${i}`, value: 'v', ttlMs: 10_000 })));
    // The 1200 just written and what earlier tests left under the prefix: exactly those, not the neighbour.
    let under = 0;
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      under += keys.length;
    } while (cursor !== '0');
    expect(under).toBeGreaterThanOrEqual(1200);
    const deleted = await l2.flush();
    expect(deleted).toBe(under);
    expect(await raw.exists(`${prefix}f0`, `${prefix}f1199`)).toBe(0);
    expect(await raw.get(`${other}keep`)).toBe('1');
    expect(await raw.get(`${prefix.slice(0, -1)}X`)).toBe('neighbour');
    await raw.del(`${other}keep`, `${prefix.slice(0, -1)}X`);
  });

  it('reports hot keys, hit/miss counts and Redis memory', async () => {
    const before = await l2.stats();
    await l2.set('hot', 'h', 10_000);
    for (let i = 0; i < 30; i++) await l2.get('hot'); // 30 hits
    for (let i = 0; i < 10; i++) await l2.mget(['warm', 'hot']); // 10 misses, 10 hits
    for (let i = 0; i < 3; i++) await l2.get('cold'); // 3 misses
    await l2.get('coldest'); // 1 miss, and the 4th key: past the 3 hot keys reported
    const stats = await l2.stats();
    expect(stats.hotKeys).toEqual([
      { key: 'hot', count: 40 },
      { key: 'warm', count: 10 },
      { key: 'cold', count: 3 },
    ]);
    expect(stats.hits - before.hits).toBe(40);
    expect(stats.misses - before.misses).toBe(14);
    expect(stats.errors - before.errors).toBe(0);
    expect(stats.breaker).toBe('closed');
    expect(stats.memory!.usedBytes).toBeGreaterThan(0);
    // What this Redis is configured with (maxmemory 0 means no limit).
    const [, maxmemory] = (await raw.config('GET', 'maxmemory')) as [string, string];
    const [, policy] = (await raw.config('GET', 'maxmemory-policy')) as [string, string];
    expect(stats.memory!.maxBytes).toBe(Number(maxmemory));
    expect(stats.memory!.policy).toBe(policy);
  });

  it('treats an undecodable compressed value as a miss, counting an error', async () => {
    await raw.set(`${prefix}corrupt`, Buffer.from([0xff, 1, 2, 3]));
    const before = await l2.stats();
    expect(await l2.get('corrupt')).toBeUndefined();
    const after = await l2.stats();
    expect([after.hits - before.hits, after.misses - before.misses, after.errors - before.errors]).toEqual([0, 1, 1]);
  });

  it('rejects with DependencyError when Redis refuses the command', async () => {
    await raw.set(`${prefix}list`, 'x');
    await raw.del(`${prefix}list`);
    await raw.rpush(`${prefix}list`, 'x');
    const before = await l2.stats();
    await expect(l2.get('list')).rejects.toBeInstanceOf(DependencyError);
    const after = await l2.stats();
    expect([after.hits - before.hits, after.misses - before.misses, after.errors - before.errors]).toEqual([0, 0, 1]);
  });
});
