import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { CounterBackend } from './backend.js';
import { consumeDecision, createLimiter, type LimitDecision, type LimiterSpec } from './limiter.js';

export type LimitKind = 'ip' | 'login' | 'signup' | 'user' | 'throttled';

export interface RateLimitSettings {
  ipPerMin: number;
  loginPerMin: number;
  signupPerMin: number;
  userPerMin: number;
  throttledPerMin: number;
}

/** The request-rate limits of the API: per client IP, tighter per IP on login and signup, per authenticated user. */
export class RateLimits {
  private readonly limiters = new Map<LimitKind, { spec: LimiterSpec; limiter: RateLimiterAbstract }>();

  constructor(backend: CounterBackend, settings: RateLimitSettings) {
    const perMinute: Record<LimitKind, number> = {
      ip: settings.ipPerMin,
      login: settings.loginPerMin,
      signup: settings.signupPerMin,
      user: settings.userPerMin,
      throttled: settings.throttledPerMin,
    };
    for (const [kind, points] of Object.entries(perMinute) as [LimitKind, number][]) {
      const spec: LimiterSpec = { name: `rl:${kind}`, points, durationSec: 60 };
      this.limiters.set(kind, { spec, limiter: createLimiter(backend, spec) });
    }
  }

  consume(kind: LimitKind, key: string): Promise<LimitDecision> {
    const { spec, limiter } = this.limiters.get(kind)!;
    return consumeDecision(limiter, spec, key);
  }

  /** The decision a client should see when several limits applied: a refusal first, else the fewest remaining. */
  static tightest(decisions: readonly LimitDecision[]): LimitDecision {
    let best = decisions[0];
    for (const d of decisions) {
      if (d.allowed !== best.allowed) {
        if (!d.allowed) best = d;
        continue;
      }
      if (!d.allowed ? d.resetMs > best.resetMs : d.remaining < best.remaining) best = d;
    }
    return best;
  }
}

/**
 * IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers, as express-rate-limit's `standardHeaders`):
 * RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (seconds), plus Retry-After on refusal.
 */
export function rateLimitHeaders(d: LimitDecision): Record<string, string> {
  const resetSec = Math.max(0, Math.ceil(d.resetMs / 1000));
  const headers: Record<string, string> = {
    'ratelimit-policy': `${d.limit};w=${d.windowSec}`,
    'ratelimit-limit': String(d.limit),
    'ratelimit-remaining': String(d.remaining),
    'ratelimit-reset': String(resetSec),
  };
  if (!d.allowed) headers['retry-after'] = String(Math.max(1, resetSec));
  return headers;
}
