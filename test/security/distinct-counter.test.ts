import { expect, it } from 'vitest';
import { DistinctCounter } from '../../src/security/distinct-counter.js';
import { describeWith } from '../helpers/services.js';
import { counterBackends } from './backends.js';

for (const { name, needs, backend } of counterBackends()) {
  describeWith(needs, `distinct counter (${name})`, () => {
    it('counts distinct members, and a window boundary does not reset the count', async () => {
      const counter = new DistinctCounter(backend(), 'dc', 60_000);
      const t0 = 1_700_000_080_000; // 40 s into a minute window (1_700_000_040_000 starts one)
      for (const m of ['a', 'b', 'a', 'c']) await counter.add('k', m, t0);
      expect(await counter.add('k', 'c', t0)).toBe(3);
      // Next window: the previous one still counts (union), a repeated member counts once.
      expect(await counter.add('k', 'a', t0 + 30_000)).toBe(3);
      expect(await counter.add('k', 'd', t0 + 30_000)).toBe(4);
      // Two windows on, only the last window's members remain.
      expect(await counter.add('k', 'e', t0 + 90_000)).toBe(3);
      expect(await counter.add('other', 'a', t0)).toBe(1);
      await counter.reset('k', t0 + 90_000);
      expect(await counter.add('k', 'z', t0 + 90_000)).toBe(1);
    });
  });
}
