import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../../src/observability/log-histogram.js';

const exactPercentile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((q / 100) * sorted.length) - 1)]!;
};

describe('LogHistogram', () => {
  it('percentiles are within 2.5 % of the exact value', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.02, max: 500_000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.constantFrom(50, 90, 95, 99, 100), (values, q) => {
        const h = new LogHistogram();
        for (const v of values) h.record(v);
        const exact = exactPercentile(values, q);
        expect(Math.abs(h.percentile(q) - exact) / exact).toBeLessThanOrEqual(0.026);
      }),
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
    for (let i = 0; i < 100_000; i++) h.record(i % 997);
    expect(h.counts.length).toBe(380);
    expect(Object.keys(h.toSparse()).length).toBeLessThan(200);
    expect(h.percentile(0)).toBeGreaterThanOrEqual(0);
    expect(new LogHistogram().percentile(99)).toBe(0);
  });
});
