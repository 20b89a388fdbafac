import { DependencyError } from '../errors/index.js';
import type { Breaker, BreakerState } from './types.js';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before one trial call is let through. */
  halfOpenAfterMs: number;
  /** Which dependency the DependencyError names. */
  dependency?: 'redis' | 'database';
  /**
   * A cheap health check (e.g. PING). When given, the breaker runs it as the trial call once
   * `halfOpenAfterMs` has passed, so it closes again without waiting for traffic.
   */
  probe?: () => Promise<unknown>;
}

/**
 * A consecutive-failures circuit breaker made of a few counters; every rejection is a DependencyError.
 *
 * It sets no timer of its own: the calls it guards must end by themselves, as every command of the Redis command
 * connection does (ioredis `commandTimeout` = REDIS_TIMEOUT, no offline queue). Written by hand rather than with
 * cockatiel, whose aggressive timeout built an AbortController, a signal and its listeners for every call: about a
 * fifth of the CPU of a Redis-served validation (issue #15). Closed → open after `failureThreshold` failures in a
 * row; open → half-open after `halfOpenAfterMs`, letting one trial call through (the probe, or the next call);
 * the trial's success closes it, its failure opens it again.
 */
export function createBreaker(name: string, options: BreakerOptions): Breaker {
  const dependency = options.dependency ?? 'redis';
  const listeners: Array<(state: BreakerState) => void> = [];
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt = 0;
  let probeTimer: NodeJS.Timeout | undefined;

  const moveTo = (next: BreakerState): void => {
    if (state === next) return;
    state = next;
    if (next === 'open') scheduleProbe();
    for (const listener of listeners) {
      try {
        listener(next);
      } catch {
        // A listener's bug must not break the breaker.
      }
    }
  };

  const open = (): void => {
    openedAt = Date.now();
    failures = 0;
    moveTo('open');
  };

  /** Whether a call may start now; past the open period the first caller becomes the half-open trial. */
  const admits = (): boolean => {
    if (state === 'closed') return true;
    if (state === 'half-open' || Date.now() - openedAt < options.halfOpenAfterMs) return false;
    moveTo('half-open');
    return true;
  };

  const execute = <T>(fn: () => Promise<T>): Promise<T> => {
    if (!admits()) return Promise.reject(new DependencyError(dependency));
    const trial = state === 'half-open';
    let pending: Promise<T>;
    try {
      pending = fn();
    } catch (error) {
      pending = Promise.reject(
        error instanceof Error ? error : new Error('breaker: the guarded call threw a non-Error'),
      );
    }
    return pending.then(
      (value) => {
        if (trial) moveTo('closed');
        else if (state === 'closed') failures = 0;
        return value;
      },
      (error: unknown) => {
        if (trial) open();
        else if (state === 'closed' && ++failures >= options.failureThreshold) open();
        throw error instanceof DependencyError ? error : new DependencyError(dependency, error);
      },
    );
  };

  function scheduleProbe(): void {
    if (!options.probe || probeTimer) return;
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      if (state !== 'open') return;
      // A failed trial reopens the breaker, which schedules the next probe.
      execute(options.probe!).catch(() => {});
    }, options.halfOpenAfterMs + 1);
    probeTimer.unref();
  }

  return {
    name,
    get state() {
      return state;
    },
    execute,
    onStateChange(listener) {
      listeners.push(listener);
    },
  };
}
