import { describe, it, expect } from 'vitest';
import { MetricsSet } from '../../../src/loadtest/metrics/metrics-set.js';
import { WindowRing } from '../../../src/loadtest/metrics/window-ring.js';
import { Timeline } from '../../../src/loadtest/metrics/timeline.js';
import { trendValues } from '../../../src/loadtest/metrics/histogram.js';

function randomSet(seed: number): MetricsSet {
  const set = new MetricsSet();
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const step = set.step(i % 3 === 0 ? 'login' : 'session');
    const failed = next() < 0.05;
    set.recordRequest(
      step,
      Math.round(100 + next() * 500_000),
      failed ? 503 : 200,
      failed,
      failed ? '503 unavailable' : null,
    );
    if (i % 2 === 0) set.recordIteration(Math.round(next() * 900_000));
    set.recordCheck('ok', !failed);
  }
  set.dropped = seed % 7;
  return set;
}

describe('metrics merge', () => {
  it('merges exactly through the wire encoding (same percentiles as recording all in one)', () => {
    const parts = [randomSet(1), randomSet(2), randomSet(3)];
    const direct = new MetricsSet();
    for (const p of parts) direct.add(p);
    const viaWire = new MetricsSet();
    for (const p of parts) viaWire.add(MetricsSet.fromWire(JSON.parse(JSON.stringify(p.toWire()))));
    expect(trendValues(viaWire.duration)).toEqual(trendValues(direct.duration));
    expect(trendValues(viaWire.step('login').duration)).toEqual(trendValues(direct.step('login').duration));
    expect(trendValues(viaWire.iterationDuration)).toEqual(trendValues(direct.iterationDuration));
    expect(viaWire.reqs).toBe(6000);
    expect(viaWire.failed).toBe(direct.failed);
    expect(viaWire.errorKinds()).toEqual(direct.errorKinds());
    expect(viaWire.checks.get('ok')).toEqual(direct.checks.get('ok'));
    expect(viaWire.dropped).toBe(1 + 2 + 3);
  });

  it('the sliding-window ring keeps sparse copies: same percentiles, a fraction of the memory', () => {
    const set = randomSet(4);
    const packed = set.packed();
    expect(trendValues(packed.duration)).toEqual(trendValues(set.duration));
    expect(trendValues(packed.step('login').duration)).toEqual(trendValues(set.step('login').duration));
    expect(packed.duration.estimatedFootprintInBytes).toBeLessThan(set.duration.estimatedFootprintInBytes / 3);
  });

  it('keeps a bounded ring of seconds and a bounded timeline', () => {
    const ring = new WindowRing(5);
    const timeline = new Timeline();
    for (let s = 0; s < 5000; s++) {
      const set = new MetricsSet();
      set.recordRequest(set.step('x'), s < 4995 ? 1000 : 900_000, 200, false, null);
      ring.push(set);
      timeline.add(s, set);
    }
    expect(ring.size).toBe(5);
    expect(ring.last(30).reqs).toBe(5);
    expect(trendValues(ring.last(5).duration).min).toBeGreaterThan(800);
    expect(timeline.points.length).toBeLessThanOrEqual(1800);
  });
});
