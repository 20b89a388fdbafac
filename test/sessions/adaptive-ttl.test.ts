import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { AdaptiveTtl } from '../../src/sessions/adaptive-ttl.js';
import { changeLogRetentionMs } from '../../src/sessions/core.js';
import { newTrace } from '../../src/sessions/types.js';
import { CoreFactory } from './factory.js';
import { seedSessions } from './warming/support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('adaptive cache lifetimes', () => {
  it('a first fill lives the minimum; a key back soon after expiring doubles, one back after a long absence halves', () => {
    const ttl = new AdaptiveTtl({
      l1: { minMs: 5_000, maxMs: 60_000 },
      l2: { minMs: 120_000, maxMs: 1_800_000 },
      trackedKeys: 10,
    });
    let now = 0;
    /** A fill `awayMs` after the previous copy expired. */
    const refill = (awayMs: number) => {
      const { l1Ms } = ttl.fill('hot', true, now);
      now += l1Ms + awayMs;
      return l1Ms;
    };
    expect([refill(0), refill(100), refill(0), refill(0), refill(0), refill(0)]).toEqual([
      5_000, 10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
    expect(ttl.fill('hot', true, now).l2Ms).toBe(1_800_000); // level 5: 120 s × 32 capped at 30 min
    now += 60_000 + 61_000; // away longer than its lifetime: used less often than it is kept
    expect(ttl.fill('hot', true, now).l1Ms).toBe(40_000);
    expect(ttl.fill('cold', false, now)).toEqual({ l1Ms: 5_000, l2Ms: 120_000 });
    expect(ttl.fill('cold', false, now).l1Ms).toBe(5_000); // a warming fill is not a use: still cold
    expect(ttl.stats()).toEqual({ tracked: 1, atMax: 0 });
  });

  it('forgets the oldest keys beyond its bound (they start cold again)', () => {
    const ttl = new AdaptiveTtl({ l1: { minMs: 100, maxMs: 800 }, l2: { minMs: 100, maxMs: 800 }, trackedKeys: 2 });
    ttl.fill('a');
    ttl.fill('a');
    ttl.fill('b');
    ttl.fill('c'); // pushes out a
    expect(ttl.fill('a').l1Ms).toBe(100);
  });

  it('the fences and the change log reach back past the longest adaptive lifetime (the coherence bound)', () => {
    const fixed = loadConfig({ SESSION_L2_TTL: '10m' });
    const adaptive = loadConfig({ SESSION_L2_TTL: '10m', SESSION_TTL_ADAPTIVE: 'true', SESSION_L2_TTL_MAX: '45m' });
    expect(changeLogRetentionMs(adaptive) - changeLogRetentionMs(fixed)).toBe(35 * 60_000);
    const off = loadConfig({ SESSION_L2_TTL: '10m', SESSION_L2_TTL_MAX: '45m' });
    expect(changeLogRetentionMs(off)).toBe(changeLogRetentionMs(fixed));
  });

  describe('in the session cache', () => {
    let factory: CoreFactory;
    afterEach(async () => factory.close());

    it('a hot session stays in L1 past the cold lifetime, a cold one leaves at it; Redis lifetimes follow; a logout still wins', async () => {
      factory = new CoreFactory();
      const a = await factory.instance({
        SESSION_TTL_ADAPTIVE: 'true',
        SESSION_L1_TTL_MIN: '300ms',
        SESSION_L1_TTL_MAX: '5s',
        SESSION_L2_TTL_MIN: '1s',
        SESSION_L2_TTL_MAX: '20s',
      });
      const [hot, cold] = await seedSessions(factory.store, 2);
      const tier = async (token: string) => {
        const trace = newTrace();
        await a.sessions.validate(token, trace);
        return trace.tier;
      };
      // Three fills of the hot session (each after its copy expired): 300 ms, 600 ms, 1200 ms.
      for (const wait of [0, 400, 700]) {
        await sleep(wait);
        expect(await tier(hot.token)).not.toBe('l1');
      }
      expect(await tier(cold.token)).toBe('db');
      await sleep(400); // past the cold lifetime (300 ms), inside the hot one (1200 ms)
      expect([await tier(hot.token), await tier(cold.token)]).toEqual(['l1', 'l2']);
      // Redis copies are written on database fills: once Redis lost them, the hot one comes back for longer.
      await factory.l2.flush();
      await sleep(1300); // both L1 copies expire
      expect([await tier(hot.token), await tier(cold.token)]).toEqual(['db', 'db']);
      expect(factory.l2.ttlOf(`sess:${hot.session.tokenHash}`)).toBeGreaterThan(7_000); // level 3: 1 s × 8
      expect(factory.l2.ttlOf(`sess:${cold.session.tokenHash}`)).toBeLessThanOrEqual(4_000); // level ≤ 2

      await a.sessions.revoke(hot.session.id, 'logout');
      expect(await a.sessions.validate(hot.token)).toBeUndefined();
    });
  });
});
