import { Cluster } from 'ioredis';
import type { Config } from '../../config/index.js';
import {
  closeRedisConnection,
  createRedisConnection,
  waitForRedisReady,
  type RedisConnection,
} from '../../cache/index.js';
import { errorMessage, fail, ok, redactUrl, warn, type CheckResult } from './types.js';

const PINGS = 10;
const SLOW_PING_MS = 5;
const GOOD_POLICIES = new Set(['allkeys-lru', 'volatile-lru', 'allkeys-lfu', 'volatile-lfu']);

/** Reachable, PING round trip, and a memory limit with an eviction policy that suits a cache. */
export async function checkRedis(config: Config): Promise<CheckResult[]> {
  const where = config.redisClusterNodes?.length
    ? `Redis Cluster ${config.redisClusterNodes.join(',')}`
    : config.redisSentinels?.length
      ? `Redis (Sentinel ${config.redisSentinelName})`
      : `Redis at ${redactUrl(config.redisUrl!)}`;
  let lastError: Error | undefined;
  const redis = createRedisConnection({ ...config, redisTimeout: 2000 }, 'command', {
    connectionName: 'tessera:doctor',
    maxBackoffMs: 200,
    onError: (e) => (lastError = e),
  });
  try {
    if (!(await waitForRedisReady(redis, 3000))) {
      return [
        fail(
          'redis',
          `${where} is unreachable${lastError ? `: ${errorMessage(lastError)}` : ''}`,
          'check REDIS_URL (host, port, password, rediss:// for TLS) and that Redis is running',
        ),
      ];
    }
    const results: CheckResult[] = [];
    const times: number[] = [];
    for (let i = 0; i < PINGS; i += 1) {
      const t = performance.now();
      await redis.ping();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const median = times[PINGS >> 1];
    const latency = `PING round trip median ${median.toFixed(2)} ms, max ${times[PINGS - 1].toFixed(2)} ms`;
    results.push(ok('redis', `${where} reachable`));
    results.push(
      median > SLOW_PING_MS
        ? warn(
            'redis latency',
            latency,
            'run Redis close to Tessera (same zone/host); every L2 lookup pays this round trip',
          )
        : ok('redis latency', latency),
    );
    results.push(...(await checkMemory(redis)));
    return results;
  } catch (error) {
    return [fail('redis', `${where}: ${errorMessage(error)}`, 'check REDIS_URL and that Redis is running')];
  } finally {
    await closeRedisConnection(redis);
  }
}

async function checkMemory(redis: RedisConnection): Promise<CheckResult[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const results: CheckResult[] = [];
  for (const node of nodes) {
    const info = await node.info('memory');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
    const label = nodes.length > 1 ? `redis memory (${node.options.host}:${node.options.port})` : 'redis memory';
    const max = Number(field('maxmemory')) || 0;
    const policy = field('maxmemory_policy') || 'unknown';
    const used = `used ${mb(Number(field('used_memory')) || 0)}`;
    if (max === 0) {
      results.push(
        warn(
          label,
          `maxmemory is 0 (unbounded, ${used}, policy ${policy}): the cache can grow until the host runs out of memory`,
          'set maxmemory (e.g. 75% of the memory Redis may use) with maxmemory-policy allkeys-lru',
        ),
      );
    } else if (policy === 'noeviction') {
      results.push(
        warn(
          label,
          `maxmemory-policy is noeviction (maxmemory ${mb(max)}, ${used}): cache writes will fail once Redis is full`,
          'set maxmemory-policy allkeys-lru (or volatile-lru: every Tessera key has a TTL)',
        ),
      );
    } else if (!GOOD_POLICIES.has(policy)) {
      results.push(
        warn(label, `maxmemory ${mb(max)} with policy ${policy}`, 'prefer allkeys-lru or volatile-lru for a cache'),
      );
    } else {
      results.push(ok(label, `maxmemory ${mb(max)}, policy ${policy}, ${used}`));
    }
  }
  return results;
}

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
