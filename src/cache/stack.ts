import cluster from 'node:cluster';
import type { Config } from '../config/index.js';
import { createBreaker } from './breaker.js';
import { createClusterIpcBus } from './bus-cluster-ipc.js';
import { createLocalBus } from './bus-local.js';
import { createRedisBus } from './bus-redis.js';
import { createL1Cache } from './l1-cache.js';
import { createRedisL2 } from './l2-redis.js';
import { closeRedisConnection, createRedisConnection, type RedisConnection } from './redis-client.js';
import type { Breaker, InvalidationBus, L1Cache, L2Cache } from './types.js';

export type CacheStackConfig = Pick<
  Config,
  | 'hasRedis'
  | 'redisUrl'
  | 'redisClusterNodes'
  | 'redisSentinels'
  | 'redisSentinelName'
  | 'redisTimeout'
  | 'redisKeyPrefix'
  | 'cacheCompressThreshold'
  | 'l2HotKeys'
  | 'sessionL1Max'
  | 'sessionL1Ttl'
>;

export interface CacheStackOptions {
  /** Unique per process (e.g. hostname:pid:random); tags this process's bus messages. */
  instanceId: string;
  /** Consecutive Redis failures that open the breaker (default 5). */
  failureThreshold?: number;
  /** How long the breaker stays open before it probes Redis (default 2000 ms). */
  halfOpenAfterMs?: number;
  onRedisError?: (error: Error) => void;
  /** Every Redis command of the stack (L2, bus, breaker probe, heartbeat) with its round trip in ms. */
  onRedisCommand?: (command: string, ms: number) => void;
  /**
   * How often the command connection is PINGed through the breaker while it is not open (default 1000 ms; 0: never),
   * so a Redis down at start or lost while idle opens the breaker (and shows in /ready) without waiting for traffic.
   */
  heartbeatMs?: number;
}

/** The three tiers, built together: what bentocache calls a cache stack. */
export interface CacheStack<V> {
  l1: L1Cache<V>;
  /** Undefined in embedded mode (no Redis configured). */
  l2: L2Cache | undefined;
  /** Redis pub/sub when Redis is configured; node:cluster IPC in an embedded worker; else single-process. */
  bus: InvalidationBus;
  breaker: Breaker | undefined;
  /** Closes the bus and the Redis connections this created. */
  close(): Promise<void>;
}

/**
 * Builds the L1, the L2 and the bus the configuration calls for.
 * Key layout: `${REDIS_KEY_PREFIX}c:` for cache entries, `${REDIS_KEY_PREFIX}bus` for the bus channel.
 */
export function createCacheStack<V>(config: CacheStackConfig, options: CacheStackOptions): CacheStack<V> {
  const { instanceId } = options;
  const l1 = createL1Cache<V>({ max: config.sessionL1Max, ttlMs: config.sessionL1Ttl });
  if (!config.hasRedis) {
    const bus = cluster.isWorker ? createClusterIpcBus({ instanceId }) : createLocalBus();
    return { l1, l2: undefined, bus, breaker: undefined, close: () => bus.close() };
  }
  const connection = (role: 'command' | 'subscriber'): RedisConnection =>
    createRedisConnection(config, role, {
      connectionName: `tessera:${role}`,
      onError: options.onRedisError,
      onCommand: role === 'command' ? options.onRedisCommand : undefined,
    });
  const command = connection('command');
  const subscriber = connection('subscriber');
  const prefix = config.redisKeyPrefix;
  const breaker = createBreaker('redis', {
    failureThreshold: options.failureThreshold ?? 5,
    halfOpenAfterMs: options.halfOpenAfterMs ?? 2000,
    probe: () => command.ping(),
  });
  const l2 = createRedisL2(command, {
    prefix: `${prefix}c:`,
    breaker,
    compressThreshold: config.cacheCompressThreshold,
    hotKeys: config.l2HotKeys,
  });
  const bus = createRedisBus(command, subscriber, { channel: `${prefix}bus`, instanceId });
  const stopHeartbeat = startHeartbeat(breaker, () => command.ping(), options.heartbeatMs ?? 1000);
  return {
    l1,
    l2,
    bus,
    breaker,
    async close() {
      stopHeartbeat();
      await Promise.all([bus.close(), l2.close()]);
      await Promise.all([closeRedisConnection(command), closeRedisConnection(subscriber)]);
    },
  };
}

/**
 * PINGs Redis through the breaker every `everyMs` while the breaker is not open: failures count like any other, so
 * a Redis that is down opens it within `failureThreshold` beats. While it is open the breaker's own probe takes over.
 */
function startHeartbeat(breaker: Breaker, ping: () => Promise<unknown>, everyMs: number): () => void {
  if (everyMs <= 0) return () => {};
  let inFlight = false;
  const timer = setInterval(() => {
    if (inFlight || breaker.state === 'open') return;
    inFlight = true;
    breaker
      .execute(ping)
      .catch(() => {})
      .finally(() => {
        inFlight = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
