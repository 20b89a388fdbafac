import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChangeLogCursor } from '../../src/sessions/change-log-cursor.js';
import { RevisionFences } from '../../src/sessions/revision-fences.js';

describe('change-log cursor', () => {
  it('moves over contiguous rows and waits at a gap until it fills', () => {
    const cursor = new ChangeLogCursor(10, 1000);
    cursor.advance([11, 12, 14, 15], 0);
    expect(cursor.through).toBe(12); // 13 is still committing somewhere
    cursor.advance([14, 15], 500);
    expect(cursor.through).toBe(12);
    cursor.advance([13, 14, 15, 16], 600);
    expect(cursor.through).toBe(16);
  });

  it('gives up on a gap after the timeout (a rolled-back transaction), and times a later gap afresh', () => {
    const cursor = new ChangeLogCursor(0, 1000);
    cursor.advance([1, 3, 5], 0);
    expect(cursor.through).toBe(1);
    cursor.advance([3, 5], 999);
    expect(cursor.through).toBe(1);
    cursor.advance([3, 5], 1000);
    expect(cursor.through).toBe(3); // skipped 2, waits anew at 4
    cursor.advance([5], 1500);
    expect(cursor.through).toBe(3);
    cursor.advance([5], 2000);
    expect(cursor.through).toBe(5);
  });

  it('never skips a row that arrives before its timeout, whatever order the commits land in', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 40 }), (order) => {
        const cursor = new ChangeLogCursor(0, 10_000);
        const committed = new Set<number>();
        for (const seq of order) {
          committed.add(seq);
          cursor.advance(
            [...committed].filter((s) => s > cursor.through).sort((x, y) => x - y),
            0,
          );
          for (let s = 1; s <= cursor.through; s += 1) expect(committed.has(s)).toBe(true);
        }
      }),
    );
  });
});

describe('revision fences', () => {
  it('admits only the newest known revision, drops older copies once, and forgets after the retention', () => {
    const dropped: string[] = [];
    const fences = new RevisionFences(1000, (id) => dropped.push(id));
    expect(fences.admits('s1', 1)).toBe(true);
    expect(fences.raise({ id: 's1', revision: 3 }, 0)).toBe(true);
    expect(fences.raise({ id: 's1', revision: 2 }, 10)).toBe(false); // older news changes nothing
    expect(fences.raise({ id: 's1', revision: 3 }, 10)).toBe(false);
    expect(dropped).toEqual(['s1']);
    expect(fences.admits('s1', 2)).toBe(false);
    expect(fences.admits('s1', 3)).toBe(true);
    fences.raise({ id: 's2', revision: 2 }, 600);
    fences.prune(1001);
    expect(fences.size).toBe(1);
    expect(fences.admits('s1', 1)).toBe(true);
    expect(fences.admits('s2', 1)).toBe(false);
  });
});
