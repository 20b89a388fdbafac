import { describe, expect, it } from 'vitest';
import { RateLimits, rateLimitHeaders } from '../../src/security/rate-limits.js';
import { describeWith } from '../helpers/services.js';
import { counterBackends } from './backends.js';

const settings = { ipPerMin: 5, loginPerMin: 2, signupPerMin: 2, userPerMin: 3, throttledPerMin: 1 };

for (const { name, needs, backend } of counterBackends()) {
  describeWith(needs, `rate limits (${name})`, () => {
    it('allows the limit, then refuses with a reset time', async () => {
      const limits = new RateLimits(backend(), settings);
      const decisions = [];
      for (let i = 0; i < 7; i++) decisions.push(await limits.consume('ip', '192.0.2.1'));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
      expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0, 0]);
      expect(decisions[5].resetMs).toBeGreaterThan(0);
      expect(decisions[5].resetMs).toBeLessThanOrEqual(60_000);
      expect((await limits.consume('ip', '192.0.2.2')).allowed).toBe(true);
      expect((await limits.consume('login', '192.0.2.2')).remaining).toBe(1);
    });

    it('keeps the kinds apart (login is tighter than the IP limit)', async () => {
      const limits = new RateLimits(backend(), settings);
      await limits.consume('login', '192.0.2.3');
      await limits.consume('login', '192.0.2.3');
      expect((await limits.consume('login', '192.0.2.3')).allowed).toBe(false);
      expect((await limits.consume('ip', '192.0.2.3')).allowed).toBe(true);
      expect((await limits.consume('user', 'u1')).remaining).toBe(2);
    });
  });
}

describeWith(['redis'], 'rate limits across instances', () => {
  const [redisBackend] = counterBackends();
  it('two instances on one Redis share one counter', async () => {
    const b = redisBackend.backend();
    const a1 = new RateLimits(b, settings);
    const a2 = new RateLimits(b, settings);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await (i % 2 ? a1 : a2).consume('ip', '198.51.100.1'));
    expect(results.filter((d) => d.allowed)).toHaveLength(5);
  });
});

describe('RateLimit headers', () => {
  it('writes the IETF draft fields and Retry-After on refusal', () => {
    expect(rateLimitHeaders({ allowed: true, limit: 600, remaining: 599, resetMs: 59_500, windowSec: 60 })).toEqual({
      'ratelimit-policy': '600;w=60',
      'ratelimit-limit': '600',
      'ratelimit-remaining': '599',
      'ratelimit-reset': '60',
    });
    expect(rateLimitHeaders({ allowed: false, limit: 20, remaining: 0, resetMs: 12_001, windowSec: 60 })).toMatchObject(
      {
        'ratelimit-remaining': '0',
        'ratelimit-reset': '13',
        'retry-after': '13',
      },
    );
  });

  it('reports the tightest of several limits', () => {
    const a = { allowed: true, limit: 600, remaining: 500, resetMs: 1000, windowSec: 60 };
    const b = { allowed: true, limit: 20, remaining: 3, resetMs: 5000, windowSec: 60 };
    const refused = { allowed: false, limit: 20, remaining: 0, resetMs: 9000, windowSec: 60 };
    expect(RateLimits.tightest([a, b])).toBe(b);
    expect(RateLimits.tightest([a, refused, b])).toBe(refused);
  });
});
