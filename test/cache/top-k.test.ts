import { describe, expect, it } from 'vitest';
import { TopK } from '../../src/cache/top-k.js';

describe('TopK (Space-Saving)', () => {
  it('finds the heavy hitters among many distinct keys with bounded memory', () => {
    // 2300 adds: anything seen more than 2300/32 ≈ 72 times is guaranteed to be kept.
    const topK = new TopK(32);
    for (let round = 0; round < 200; round++) {
      topK.add('hot-a');
      if (round % 2 === 0) topK.add('hot-b');
      for (let i = 0; i < 10; i++) topK.add(`cold-${round}-${i}`);
    }
    const top = topK.top(2);
    expect(top.map((t) => t.key)).toEqual(['hot-a', 'hot-b']);
    expect(top[0].count).toBeLessThanOrEqual(200);
    expect(top[0].count).toBeGreaterThan(100);
    expect(topK.top(100).length).toBe(32);
  });

  it('counts exactly while under capacity', () => {
    const topK = new TopK(8);
    for (const key of ['a', 'b', 'a', 'c', 'a', 'b']) topK.add(key);
    expect(topK.top(3)).toEqual([
      { key: 'a', count: 3 },
      { key: 'b', count: 2 },
      { key: 'c', count: 1 },
    ]);
  });
});
