import cluster from 'node:cluster';
import type { Config } from '../config/index.js';
import { createBreaker } from './breaker.js';
import { createClusterIpcBus } from './bus-cluster-ipc.js';
import { createLocalBus } from './bus-local.js';
import { createRedisBus } from './bus-redis.js';
import { createRedisL2 } from './l2-redis.js';
import { closeRedisConnection, createRedisConnection, type RedisConnection } from './redis-client.js';
import type { Breaker, InvalidationBus, L2Cache } from './types.js';

export type CacheTiersConfig = Pick<
  Config,
  | 'hasRedis' | 'redisUrl' | 'redisClusterNodes' | 'redisSentinels' | 'redisSentinelName' | 'redisTimeout'
  | 'redisKeyPrefix' | 'cacheCompressThreshold' | 'l2HotKeys'
>;

export interface CacheTiersOptions {
  /** Unique per process (e.g. hostname:pid:random); tags this process's bus messages. */
  instanceId: string;
  /** Consecutive Redis failures that open the breaker (default 5). */
  failureThreshold?: number;
  /** How long the breaker stays open before it probes Redis (default 2000 ms). */
  halfOpenAfterMs?: number;
  onRedisError?: (error: Error) => void;
}

export interface CacheTiers {
  /** Undefined in embedded mode (no Redis configured). */
  l2: L2Cache | undefined;
  /** Redis pub/sub when Redis is configured; node:cluster IPC in an embedded worker; else single-process. */
  bus: InvalidationBus;
  breaker: Breaker | undefined;
  /** Closes the bus and the Redis connections this created. */
  close(): Promise<void>;
}

/**
 * Builds the L2 and the bus the configuration calls for (the L1 is the caller's: it knows its value type).
 * Key layout: `${REDIS_KEY_PREFIX}c:` for cache entries, `${REDIS_KEY_PREFIX}bus` for the bus channel.
 */
export function createCacheTiers(config: CacheTiersConfig, options: CacheTiersOptions): CacheTiers {
  const { instanceId } = options;
  if (!config.hasRedis) {
    const bus = cluster.isWorker ? createClusterIpcBus({ instanceId }) : createLocalBus();
    return { l2: undefined, bus, breaker: undefined, close: () => bus.close() };
  }
  const connection = (role: 'command' | 'subscriber'): RedisConnection =>
    createRedisConnection(config, role, { connectionName: `tessera:${role}`, onError: options.onRedisError });
  const command = connection('command');
  const subscriber = connection('subscriber');
  const prefix = config.redisKeyPrefix ?? 'tss:';
  const breaker = createBreaker('redis', {
    timeoutMs: config.redisTimeout ?? 250,
    failureThreshold: options.failureThreshold ?? 5,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 2000,
    probe: () => command.ping(),
  });
  const l2 = createRedisL2(command, {
    prefix: `${prefix}c:`,
    breaker,
    compressThreshold: config.cacheCompressThreshold ?? 1024,
    hotKeys: config.l2HotKeys ?? 20,
  });
  const bus = createRedisBus(command, subscriber, { channel: `${prefix}bus`, instanceId });
  return {
    l2,
    bus,
    breaker,
    async close() {
      await Promise.all([bus.close(), l2.close()]);
      await Promise.all([closeRedisConnection(command), closeRedisConnection(subscriber)]);
    },
  };
}
