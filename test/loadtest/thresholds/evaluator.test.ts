import { describe, it, expect } from 'vitest';
import { parseThresholdFlag } from '../../../src/loadtest/thresholds/parser.js';
import { ThresholdTracker, metricValue } from '../../../src/loadtest/thresholds/evaluator.js';
import { Aggregate } from '../../../src/loadtest/metrics/aggregate.js';
import { MetricsSet } from '../../../src/loadtest/metrics/metrics-set.js';

function second(latencyMs: number, reqs: number, failed: number): MetricsSet {
  const set = new MetricsSet();
  const step = set.step('login');
  for (let i = 0; i < reqs; i++)
    set.recordRequest(step, latencyMs * 1000, i < failed ? 500 : 200, i < failed, i < failed ? '500' : null);
  return set;
}

const parse = (text: string, abort = false) => {
  const errors: string[] = [];
  const t = parseThresholdFlag(text, abort, errors);
  expect(errors).toEqual([]);
  return t!;
};

describe('threshold evaluation', () => {
  it('computes k6 aggregations on totals, with tag filters', () => {
    const set = second(100, 10, 2);
    set.add(second(300, 10, 0));
    expect(metricValue(set, parse('http_req_failed: rate<0.5'), 2)).toBeCloseTo(0.1);
    expect(metricValue(set, parse('http_reqs: count>1'), 2)).toBe(20);
    expect(metricValue(set, parse('http_reqs: rate>1'), 2)).toBe(10);
    expect(metricValue(set, parse('http_req_duration{step:login}: p(95)<1'), 2)).toBeCloseTo(300, -1);
    expect(metricValue(set, parse('http_req_duration{step:other}: p(95)<1'), 2)).toBe(0);
    expect(metricValue(set, parse('http_req_duration: med<1'), 2)).toBeCloseTo(100, -1);
    expect(metricValue(set, parse('http_req_failed{status:500}: count<1'.replace('count', 'fails')), 2)).toBe(2);
  });

  it('judges `over 30s` on the sliding window only, and a failed window stays failed', () => {
    const aggregate = new Aggregate(3);
    const tracker = new ThresholdTracker([
      parse('http_req_duration: p(95)<200 over 3s'),
      parse('http_req_duration: p(95)<200'),
    ]);
    for (let i = 0; i < 3; i++) {
      aggregate.ingest(second(500, 10, 0));
      tracker.tick(aggregate, (i + 1) * 1000);
    }
    for (let i = 0; i < 100; i++) {
      aggregate.ingest(second(10, 10, 0));
      tracker.tick(aggregate, (i + 4) * 1000);
    }
    const results = tracker.results(aggregate, 103_000);
    expect(results['http_req_duration: p(95)<200 over 3s'].ok).toBe(false);
    expect(results['http_req_duration: p(95)<200 over 3s'].value).toBeLessThan(20);
    expect(results['http_req_duration: p(95)<200'].ok).toBe(true);
  });

  it('asks to abort only for abortOnFail thresholds past their delay', () => {
    const aggregate = new Aggregate(1);
    aggregate.ingest(second(10, 10, 10));
    const t = parse('http_req_failed: rate<0.5', true);
    expect(new ThresholdTracker([t]).tick(aggregate, 1000)).toHaveLength(1);
    expect(new ThresholdTracker([{ ...t, delayAbortEvalMs: 5000 }]).tick(aggregate, 1000)).toHaveLength(0);
    expect(new ThresholdTracker([parse('http_req_failed: rate<0.5')]).tick(aggregate, 1000)).toHaveLength(0);
  });
});
