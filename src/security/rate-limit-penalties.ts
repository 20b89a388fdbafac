import { LazyLru } from './lazy-lru.js';
import { PENALTY, type Reputation } from './reputation.js';

const PENALTY_INTERVAL_MS = 10_000;

/**
 * The reputation penalty for going over a rate limit, at most once per IP per 10 s: a burst over the limit is not
 * a reason to refuse the IP everywhere for long. The memory of who was penalised belongs to one protection layer.
 */
export class RateLimitPenalties {
  private readonly recent = new LazyLru<string, true>({ max: 100_000, ttl: PENALTY_INTERVAL_MS });

  constructor(private readonly reputation: Reputation) {}

  /** Penalises `ip` unless it was penalised for a rate limit in the last 10 s (never waits, never throws). */
  penalise(ip: string): void {
    if (this.recent.has(ip)) return;
    this.recent.set(ip, true);
    void this.reputation.penalise(ip, PENALTY.rateLimited).catch(() => {});
  }
}
