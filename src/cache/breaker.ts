import { CircuitState, ConsecutiveBreaker, TimeoutStrategy, circuitBreaker, handleAll, timeout, wrap } from 'cockatiel';
import { DependencyError } from '../errors/index.js';
import type { Breaker, BreakerState } from './types.js';

export interface BreakerOptions {
  /** A call slower than this fails (and counts toward opening). */
  timeoutMs: number;
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

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/** A cockatiel circuit breaker (consecutive failures) around an aggressive timeout; every rejection is a DependencyError. */
export function createBreaker(name: string, options: BreakerOptions): Breaker {
  const dependency = options.dependency ?? 'redis';
  const breakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.failureThreshold),
  });
  const policy = wrap(breakerPolicy, timeout(options.timeoutMs, TimeoutStrategy.Aggressive));
  const listeners: Array<(state: BreakerState) => void> = [];
  let probeTimer: NodeJS.Timeout | undefined;

  const execute = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await policy.execute(() => fn());
    } catch (error) {
      throw error instanceof DependencyError ? error : new DependencyError(dependency, error);
    }
  };

  const scheduleProbe = (): void => {
    if (!options.probe || probeTimer) return;
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      if (breakerPolicy.state !== CircuitState.Open) return;
      // A failed trial reopens the breaker, whose state change schedules the next probe.
      execute(options.probe!).catch(() => {});
    }, options.halfOpenAfterMs + 1);
    probeTimer.unref();
  };

  breakerPolicy.onStateChange((raw) => {
    const state = STATES[raw];
    if (state === 'open') scheduleProbe();
    for (const listener of listeners) {
      try {
        listener(state);
      } catch {
        // A listener's bug must not break the breaker.
      }
    }
  });

  return {
    name,
    get state() {
      return STATES[breakerPolicy.state];
    },
    execute,
    onStateChange(listener) {
      listeners.push(listener);
    },
  };
}
