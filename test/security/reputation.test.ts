import { expect, it } from 'vitest';
import { Reputation } from '../../src/security/reputation.js';
import { describeWith } from '../helpers/services.js';
import { counterBackends } from './backends.js';

const settings = { threshold: 20, recoveryPerHour: 60, cacheMs: 0 };

for (const { name, needs, backend } of counterBackends()) {
  describeWith(needs, `IP reputation (${name})`, () => {
    it('starts clean, falls with penalties and refuses below the threshold with the time to recover', async () => {
      const rep = new Reputation(backend(), settings);
      const t0 = 1_700_000_000_000;
      expect(await rep.verdict('192.0.2.1', t0)).toMatchObject({ score: 100, refused: false, throttled: false });
      expect(await rep.penalise('192.0.2.1', 50, t0)).toBe(50);
      expect(await rep.penalise('192.0.2.1', 35, t0)).toBe(15);
      const v = await rep.verdict('192.0.2.1', t0);
      expect(v.refused).toBe(true);
      expect(v.retryAfterSec).toBe(300); // 5 points at 1 point a minute
      expect(await rep.verdict('192.0.2.2', t0)).toMatchObject({ refused: false });
    });

    it('recovers lazily over time, never above 100, and never below 0', async () => {
      const rep = new Reputation(backend(), settings);
      const t0 = 1_700_000_000_000;
      await rep.penalise('192.0.2.3', 90, t0);
      expect((await rep.verdict('192.0.2.3', t0 + 30 * 60_000)).score).toBeCloseTo(40);
      expect((await rep.verdict('192.0.2.3', t0 + 30 * 60_000)).refused).toBe(false);
      // The next penalty applies to the recovered score.
      expect(await rep.penalise('192.0.2.3', 10, t0 + 30 * 60_000)).toBeCloseTo(30);
      expect((await rep.verdict('192.0.2.3', t0 + 10 * 3_600_000)).score).toBe(100);
      expect(await rep.penalise('192.0.2.4', 500, t0)).toBe(0);
    });

    it('marks an IP throttled for a while', async () => {
      const rep = new Reputation(backend(), settings);
      const now = Date.now();
      await rep.throttle('192.0.2.5', 60_000, now);
      expect((await rep.verdict('192.0.2.5', now + 1000)).throttled).toBe(true);
      expect((await rep.verdict('192.0.2.5', now + 61_000)).throttled).toBe(false);
    });
  });
}

describeWith(['redis'], 'IP reputation across instances', () => {
  const [redis] = counterBackends();
  it('a penalty taken on one instance is seen by another', async () => {
    const b = redis.backend();
    const one = new Reputation(b, settings);
    const two = new Reputation(b, settings);
    const now = Date.now();
    await one.penalise('198.51.100.9', 85, now);
    await one.throttle('198.51.100.9', 60_000, now);
    expect(await two.verdict('198.51.100.9', now)).toMatchObject({ refused: true, throttled: true });
    await two.clear('198.51.100.9');
    expect(await one.verdict('198.51.100.9', now)).toMatchObject({ refused: false, score: 100 });
  });
});
