import type { Cluster, Redis } from 'ioredis';

/** The Redis connection the protection layer shares with the rest of the service (standalone, Sentinel or Cluster). */
export type RedisClient = Redis | Cluster;

/** Where the counters of the protection layer live: Redis when scaled, this process when embedded or when Redis fails. */
export interface CounterBackend {
  redis?: RedisClient;
  /** Prefix of every key (REDIS_KEY_PREFIX + `sec:`). */
  keyPrefix: string;
  /** A Redis call slower than this falls back to the in-process counters (REDIS_TIMEOUT). */
  timeoutMs: number;
  /**
   * Without Redis, in a `serve --workers N` worker: keep rate-limit counters in the node:cluster primary
   * (rate-limiter-flexible's RateLimiterCluster; the primary runs startClusterCounters()), so N workers enforce one limit.
   */
  clusterWorker?: boolean;
}

/** Rejects when `promise` does not settle within `ms`; the late result is ignored. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis call timed out after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** True when the client can take a command now (ioredis queues commands while disconnected; we'd rather fall back). */
export function redisReady(redis: RedisClient | undefined): redis is RedisClient {
  return redis !== undefined && redis.status === 'ready';
}
