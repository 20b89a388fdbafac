import type { Report, RegressionVerdict } from '../report/types.js';

/** Exit code when a run regressed against its baseline (distinct from k6's 99 and 104). */
export const REGRESSION_EXIT_CODE = 111;

/**
 * Compares a run to a baseline: p95/p99 latency up, throughput down, or error rate up by more
 * than `tolerancePct` is a regression. Error rate also gets an absolute floor of 0.1 point, so
 * 0 → 0.01% is not flagged as +∞%.
 */
export function compareToBaseline(
  current: Report,
  baseline: Report,
  tolerancePct: number,
  baselineName: string,
): NonNullable<Report['comparison']> {
  const tol = tolerancePct / 100;
  const get = (r: Report, metric: string, key: string): number => r.metrics[metric]?.values[key] ?? 0;
  const verdict = (metric: string, b: number, c: number, worseWhenHigher: boolean, floor = 0): RegressionVerdict => {
    const changePct = b === 0 ? (c === 0 ? 0 : 100) : ((c - b) / b) * 100;
    const regressed = worseWhenHigher ? c > b * (1 + tol) + floor : c < b * (1 - tol) - floor;
    return { metric, baseline: b, current: c, changePct: Math.round(changePct * 10) / 10, regressed };
  };
  const verdicts = [
    verdict(
      'http_req_duration p(95)',
      get(baseline, 'http_req_duration', 'p(95)'),
      get(current, 'http_req_duration', 'p(95)'),
      true,
    ),
    verdict(
      'http_req_duration p(99)',
      get(baseline, 'http_req_duration', 'p(99)'),
      get(current, 'http_req_duration', 'p(99)'),
      true,
    ),
    verdict('http_reqs rate', get(baseline, 'http_reqs', 'rate'), get(current, 'http_reqs', 'rate'), false),
    verdict(
      'http_req_failed rate',
      get(baseline, 'http_req_failed', 'rate'),
      get(current, 'http_req_failed', 'rate'),
      true,
      0.001,
    ),
  ];
  return { baseline: baselineName, tolerancePct, verdicts, regressed: verdicts.some((v) => v.regressed) };
}
