import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createL1Cache } from '../../src/cache/l1-cache.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('L1 cache', () => {
  it('returns what was stored and counts hits and misses', () => {
    const l1 = createL1Cache<{ id: string }>({ max: 10, ttlMs: 10_000 });
    const value = { id: 'a' };
    l1.set('a', value);
    expect(l1.get('a')).toBe(value);
    expect(l1.get('b')).toBeUndefined();
    expect(l1.stats()).toMatchObject({ size: 1, max: 10, hits: 1, misses: 1, evictions: 0 });
  });

  it('expires entries after the default TTL and after a per-entry TTL', async () => {
    // Wide margins: a loaded CI machine can stall this process for hundreds of milliseconds.
    const l1 = createL1Cache<number>({ max: 10, ttlMs: 1_500 });
    l1.set('default', 1);
    l1.set('long', 2, [], 60_000);
    l1.set('short', 3, [], 10);
    await sleep(100);
    expect(l1.get('short')).toBeUndefined();
    expect(l1.get('default')).toBe(1);
    await sleep(1_500);
    expect(l1.get('default')).toBeUndefined();
    expect(l1.get('long')).toBe(2);
    expect(l1.stats().expirations).toBe(2);
  });

  it('does not keep an entry given a TTL of 0, and drops the older value of that key', () => {
    const l1 = createL1Cache<number>({ max: 10, ttlMs: 10_000 });
    l1.set('k', 1, ['t']);
    l1.set('k', 2, ['t'], 0);
    expect(l1.get('k')).toBeUndefined();
    expect(l1.stats()).toMatchObject({ size: 0, tags: 0 });
  });

  it('bounds the entry count, evicting the least recently used and counting evictions', () => {
    const l1 = createL1Cache<number>({ max: 3, ttlMs: 10_000 });
    for (const k of ['a', 'b', 'c']) l1.set(k, 1);
    l1.get('a'); // a is now more recent than b
    l1.set('d', 1);
    l1.set('e', 1);
    expect(l1.get('b')).toBeUndefined();
    expect(l1.get('c')).toBeUndefined();
    expect(l1.get('a')).toBe(1);
    expect(l1.stats()).toMatchObject({ size: 3, evictions: 2 });
  });

  it('refuses entries stored before notBefore', async () => {
    const l1 = createL1Cache<string>({ max: 10, ttlMs: 10_000 });
    l1.set('old', 'x');
    await sleep(5);
    const lostAt = Date.now();
    l1.set('new', 'y');
    expect(l1.get('old', lostAt)).toBeUndefined();
    expect(l1.get('old')).toBe('x');
    expect(l1.get('new', lostAt)).toBe('y');
  });

  it('drops every entry of a tag, and only those', () => {
    const l1 = createL1Cache<number>({ max: 100, ttlMs: 10_000 });
    l1.set('s1', 1, ['user:1', 'session:1']);
    l1.set('s2', 2, ['user:1', 'session:2']);
    l1.set('s3', 3, ['user:2', 'session:3']);
    expect(l1.deleteTag('user:1')).toBe(2);
    expect(l1.get('s1')).toBeUndefined();
    expect(l1.get('s2')).toBeUndefined();
    expect(l1.get('s3')).toBe(3);
    expect(l1.deleteTag('user:1')).toBe(0);
    expect(l1.deleteTag('session:1')).toBe(0); // cleaned when s1 went
    expect(l1.stats().tags).toBe(2); // user:2, session:3
  });

  it('re-indexes tags when a key is overwritten', () => {
    const l1 = createL1Cache<number>({ max: 100, ttlMs: 10_000 });
    l1.set('k', 1, ['user:1']);
    l1.set('k', 2, ['user:2']);
    expect(l1.deleteTag('user:1')).toBe(0);
    expect(l1.get('k')).toBe(2);
    expect(l1.deleteTag('user:2')).toBe(1);
    expect(l1.stats().tags).toBe(0);
  });

  it('keeps the tag index bounded by the entries it holds (eviction, delete, clear)', () => {
    const l1 = createL1Cache<number>({ max: 50, ttlMs: 10_000 });
    for (let i = 0; i < 10_000; i++) l1.set(`k${i}`, i, [`user:${i}`, 'all']);
    expect(l1.stats()).toMatchObject({ size: 50, evictions: 9_950, tags: 51 });
    expect(l1.deleteTag('all')).toBe(50);
    expect(l1.stats()).toMatchObject({ size: 0, tags: 0 });
    l1.set('x', 1, ['t']);
    l1.delete('x');
    expect(l1.stats().tags).toBe(0);
    l1.set('y', 1, ['t']);
    l1.clear();
    expect(l1.stats()).toMatchObject({ size: 0, tags: 0 });
  });

  it('agrees with a plain model under any sequence of sets, deletes, tag drops and evictions', () => {
    const key = fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5');
    const tags = fc.uniqueArray(fc.constantFrom('s:1', 's:2', 'u:1', 'u:2'), { maxLength: 2 });
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, tags }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('deleteTag' as const), tag: fc.constantFrom('s:1', 's:2', 'u:1', 'u:2') }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const max = 4; // below the key count, so evictions happen too
        const l1 = createL1Cache<string>({ max, ttlMs: 60_000 });
        const model = new Map<string, string[]>(); // key → tags, in recency order (oldest first)
        for (const o of ops) {
          if (o.kind === 'set') {
            l1.set(o.key, o.key, o.tags);
            model.delete(o.key);
            model.set(o.key, o.tags);
            if (model.size > max) model.delete(model.keys().next().value!);
          } else if (o.kind === 'delete') {
            l1.delete(o.key);
            model.delete(o.key);
          } else {
            const dropped = [...model].filter(([, t]) => t.includes(o.tag)).map(([k]) => k);
            expect(l1.deleteTag(o.tag)).toBe(dropped.length);
            for (const k of dropped) model.delete(k);
          }
          expect(l1.stats().tags).toBe(new Set([...model.values()].flat()).size);
        }
        for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) expect(l1.get(k)).toBe(model.has(k) ? k : undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('is a pass-through when max is 0', () => {
    const l1 = createL1Cache<number>({ max: 0, ttlMs: 10_000 });
    l1.set('a', 1, ['t']);
    expect(l1.get('a')).toBeUndefined();
    expect(l1.deleteTag('t')).toBe(0);
    expect(l1.stats()).toMatchObject({ size: 0, max: 0, misses: 1 });
  });
});
