import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../../src/observability/log-histogram.js';

const exactPercentile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((q / 100) * sorted.length) - 1)];
};

describe('LogHistogram', () => {
  it('percentiles are within 2.5 % of the exact value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.02, max: 500_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(50, 90, 95, 99, 100),
        (values, q) => {
          const h = new LogHistogram();
          for (const v of values) h.record(v);
          const exact = exactPercentile(values, q);
          expect(Math.abs(h.percentile(q) - exact) / exact).toBeLessThanOrEqual(0.026);
        },
      ),
    );
  });

  it('merges exactly, also through the sparse form', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    for (let i = 1; i <= 1000; i++) (i % 2 ? a : b).record(i / 10);
    const whole = new LogHistogram();
    for (let i = 1; i <= 1000; i++) whole.record(i / 10);
    const merged = LogHistogram.fromSparse(a.toSparse(), a.sum, a.max);
    merged.add(LogHistogram.fromSparse(b.toSparse(), b.sum, b.max));
    expect(merged.count).toBe(1000);
    expect(Array.from(merged.counts)).toEqual(Array.from(whole.counts));
    expect(merged.percentile(99)).toBe(whole.percentile(99));
    expect(merged.mean()).toBeCloseTo(whole.mean(), 6);
  });

  it('keeps constant memory however many values it sees', () => {
    const h = new LogHistogram();
    const values = Array.from({ length: 100_000 }, (_, i) => i % 997);
    for (const v of values) h.record(v);
    expect(h.counts.length).toBe(380);
    expect(h.count).toBe(100_000);
    expect(h.max).toBe(996);
    expect(h.sum).toBe(values.reduce((a, b) => a + b, 0));
    // 0 sits alone in the lowest bucket (101 zeros: i = 0, 997, …, 99 700); 1…996 fill 100 more 5 % buckets.
    expect(h.counts[0]).toBe(101);
    expect(Object.keys(h.toSparse()).length).toBe(101);
    // The lowest bucket reports its floor, 0.01 ms; the top is capped at the observed max and within 2.5 % of it.
    expect(h.percentile(0)).toBe(0.01);
    expect(h.percentile(100)).toBeLessThanOrEqual(996);
    expect(h.percentile(100)).toBeGreaterThanOrEqual(996 / 1.025);
    for (const q of [50, 90, 99]) {
      const exact = exactPercentile(values, q);
      expect(Math.abs(h.percentile(q) - exact) / exact, `p${q}`).toBeLessThanOrEqual(0.025);
    }
    expect(new LogHistogram().percentile(99)).toBe(0);
  });
});
