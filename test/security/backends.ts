import { afterAll, beforeAll } from 'vitest';
import type { Redis } from 'ioredis';
import type { CounterBackend } from '../../src/security/backend.js';
import { services, uniquePrefix } from '../helpers/services.js';
import { readyRedis } from './fixtures.js';

/**
 * Runs a suite once against the shared Redis and once in-process: wrap each in `describeWith(needs, …)` so the Redis
 * run is skipped loudly without Redis, and fails when TESSERA_REQUIRE_SERVICES=1.
 * `backend()` gives a fresh key prefix on each call so tests never share counters.
 */
export function counterBackends(): Array<{
  name: 'redis' | 'memory';
  needs: Array<'redis'>;
  backend: () => CounterBackend;
  redis: () => Redis | undefined;
}> {
  let redis: Redis | undefined;
  const prefixes: string[] = [];
  beforeAll(async () => {
    if (services.redis) redis = await readyRedis();
  });
  afterAll(async () => {
    if (redis) for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis?.disconnect();
  });
  const redisBackend = (): CounterBackend => {
    const keyPrefix = uniquePrefix('sec');
    prefixes.push(keyPrefix);
    return { redis, keyPrefix, timeoutMs: 500 };
  };
  return [
    { name: 'redis', needs: ['redis'], backend: redisBackend, redis: () => redis },
    {
      name: 'memory',
      needs: [],
      backend: () => ({ keyPrefix: uniquePrefix('sec'), timeoutMs: 500 }),
      redis: () => undefined,
    },
  ];
}

/** Removes a test's keys from the shared Redis (SCAN by prefix; never FLUSH). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
