import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseThresholdFlag, parseThresholdObject } from '../../../src/loadtest/thresholds/parser.js';

describe('threshold grammar', () => {
  it('parses k6 expressions with tag filters and sliding windows', () => {
    const errors: string[] = [];
    const t = parseThresholdFlag('http_req_duration{step:login}: p(95) < 300 over 30s', false, errors);
    expect(errors).toEqual([]);
    expect(t).toMatchObject({
      metric: 'http_req_duration',
      tags: { step: 'login' },
      aggregation: 'p',
      percentile: 95,
      op: '<',
      value: 300,
      windowSec: 30,
    });
    expect(t!.key).toBe('http_req_duration{step:login}: p(95)<300 over 30s');
    for (const expr of [
      'http_req_failed: rate<0.01',
      'http_reqs: count>10',
      'iterations: rate>=5',
      'checks: rate>0.99',
      'vus: max<=10',
      'http_req_duration: avg<200',
      'http_req_duration: med<100',
      'http_req_duration: min>0',
      'http_req_duration: max<5000',
      'dropped_iterations: count==0',
      'iteration_duration: p(99.9)<1000',
    ]) {
      expect(parseThresholdFlag(expr, false, errors), expr).toBeDefined();
    }
    expect(errors).toEqual([]);
  });

  it('reads the k6 object form with abortOnFail and delayAbortEval', () => {
    const errors: string[] = [];
    const list = parseThresholdObject(
      {
        http_req_duration: ['p(95)<500', { threshold: 'p(99)<1000', abortOnFail: true, delayAbortEval: '10s' }],
        'http_req_failed{step:login}': 'rate<0.1',
      },
      errors,
    );
    expect(errors).toEqual([]);
    expect(list.map((t) => [t.key, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['http_req_duration: p(95)<500', false, 0],
      ['http_req_duration: p(99)<1000', true, 10_000],
      ['http_req_failed{step:login}: rate<0.1', false, 0],
    ]);
  });

  it('collects one clear line per bad threshold', () => {
    const errors: string[] = [];
    parseThresholdFlag('nope: p(95)<1', false, errors);
    parseThresholdFlag('http_req_duration: rate<1', false, errors);
    parseThresholdFlag('http_req_duration{colour:red}: p(95)<1', false, errors);
    parseThresholdFlag('http_req_duration: p(95)<', false, errors);
    parseThresholdFlag('http_req_duration: p(101)<5', false, errors);
    parseThresholdFlag('http_req_duration: p(95)<5 over 2h', false, errors);
    parseThresholdFlag('no colon at all', false, errors);
    expect(errors).toHaveLength(7);
    for (const e of errors) expect(e).not.toContain('\n');
  });

  it('never throws on junk: either a threshold or an error line (fast-check)', () => {
    const junk = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom('http_req_duration', 'http_req_failed', 'checks', 'vus', 'x', ''),
          fc.string(),
          fc.constantFrom('p(95)', 'rate', 'avg', 'count', 'p(', ''),
          fc.constantFrom('<', '>=', '==', '!', ''),
          fc.string(),
          fc.constantFrom('', ' over 30s', ' over x', ' over 0s'),
        )
        .map((parts) => `${parts[0]}${parts[1]}: ${parts[2]}${parts[3]}${parts[4]}${parts[5]}`),
    );
    fc.assert(
      fc.property(junk, fc.boolean(), (text, abort) => {
        const errors: string[] = [];
        const t = parseThresholdFlag(text, abort, errors);
        expect(t === undefined ? errors.length > 0 : errors.length === 0).toBe(true);
        for (const e of errors) expect(e.includes('\n')).toBe(false);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const errors: string[] = [];
        expect(() => parseThresholdObject(value, errors)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
