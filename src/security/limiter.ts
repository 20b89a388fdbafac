import {
  RateLimiterCluster,
  RateLimiterClusterMaster,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { CounterBackend } from './backend.js';

export interface LimiterSpec {
  /** Distinguishes this limiter's keys from the others'. */
  name: string;
  points: number;
  durationSec: number;
  blockDurationSec?: number;
}

/**
 * A rate-limiter-flexible limiter on Redis with an in-process insurance limiter (used whenever Redis is not ready,
 * errors or is slower than the timeout), or in-process only when there is no Redis.
 */
export function createLimiter(backend: CounterBackend, spec: LimiterSpec): RateLimiterAbstract {
  const common = {
    keyPrefix: `${backend.keyPrefix}${spec.name}`,
    points: spec.points,
    duration: spec.durationSec,
    blockDuration: spec.blockDurationSec ?? 0,
  };
  const insurance = new RateLimiterMemory(common);
  if (!backend.redis && backend.clusterWorker) {
    const shared = new RateLimiterCluster({ ...common, timeoutMs: backend.timeoutMs });
    return new RLWrapperTimeouts({ limiter: shared, timeoutMs: backend.timeoutMs, insuranceLimiter: insurance });
  }
  if (!backend.redis) return insurance;
  const redis = new RateLimiterRedis({
    ...common,
    storeClient: backend.redis,
    rejectIfRedisNotReady: true,
    insuranceLimiter: insurance,
  });
  return new RLWrapperTimeouts({ limiter: redis, timeoutMs: backend.timeoutMs, insuranceLimiter: insurance });
}

/** The outcome of one consume, in the terms of the RateLimit-* headers. */
export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window (or block) ends. */
  resetMs: number;
  windowSec: number;
}

/** Consumes one point; a refusal is a decision, not an exception. Anything else (never expected: insurance answers) fails open. */
export async function consumeDecision(
  limiter: RateLimiterAbstract,
  spec: LimiterSpec,
  key: string,
  points = 1,
): Promise<LimitDecision> {
  try {
    const res = await limiter.consume(key, points);
    return {
      allowed: true,
      limit: spec.points,
      remaining: res.remainingPoints,
      resetMs: Math.max(0, res.msBeforeNext),
      windowSec: spec.durationSec,
    };
  } catch (e) {
    if (e instanceof RateLimiterRes) {
      return {
        allowed: false,
        limit: spec.points,
        remaining: 0,
        resetMs: Math.max(1000, e.msBeforeNext),
        windowSec: spec.durationSec,
      };
    }
    return {
      allowed: true,
      limit: spec.points,
      remaining: spec.points,
      resetMs: spec.durationSec * 1000,
      windowSec: spec.durationSec,
    };
  }
}

/** Reads a key without consuming; undefined when nothing is stored (or the store cannot answer). */
export async function peek(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | undefined> {
  try {
    return (await limiter.get(key)) ?? undefined;
  } catch {
    return undefined;
  }
}

/** In the node:cluster primary of `serve --workers N` without Redis: holds the workers' rate-limit counters. */
export function startClusterCounters(): void {
  new RateLimiterClusterMaster(); // a singleton: listens to the workers on the rate_limiter_flexible IPC channel
}
