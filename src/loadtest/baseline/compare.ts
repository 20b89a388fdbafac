import type { Report, RegressionVerdict } from '../report/types.js';
import type { TimelinePoint } from '../metrics/timeline.js';
import { bootstrapChange, median } from './noise.js';

/** Exit code when a run regressed against its baseline (distinct from k6's 99 and 104). */
export const REGRESSION_EXIT_CODE = 111;

/** Fewer per-second windows than this on either side: no noise estimate, single figures are compared. */
export const MIN_WINDOWS = 5;

type Series = 'p50' | 'p90' | 'p99' | 'rps';

const SERIES: Array<{ metric: string; key: Series; single: [string, string]; higherWorse: boolean }> = [
  { metric: 'http_req_duration p(50)', key: 'p50', single: ['http_req_duration', 'med'], higherWorse: true },
  { metric: 'http_req_duration p(90)', key: 'p90', single: ['http_req_duration', 'p(90)'], higherWorse: true },
  { metric: 'http_req_duration p(99)', key: 'p99', single: ['http_req_duration', 'p(99)'], higherWorse: true },
  { metric: 'http_reqs rate', key: 'rps', single: ['http_reqs', 'rate'], higherWorse: false },
];

/** The run's full one-second windows that saw traffic, without the first and last (start-up and wind-down). */
export function windowsOf(report: Report, key: Series): number[] {
  const points = (report.timeline ?? []).filter((p: TimelinePoint) => p.span === 1 && p.rps > 0);
  return points.slice(1, -1).map((p) => p[key]);
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Compares a run to a baseline through their per-second windows: for each of p50, p90, p99 latency and
 * throughput, the change of the median window and its 95 % bootstrap interval. A regression is a change
 * beyond the tolerance with that confidence: the whole interval lies beyond it, so run-to-run noise (a busy
 * machine, a GC pause) is not flagged while a real slow-down is. Runs too short for windows fall back to the
 * single figures. The error rate is compared as a proportion: beyond the tolerance (and 0.1 point) and beyond
 * chance (two-proportion z > 1.96).
 */
export function compareToBaseline(
  current: Report,
  baseline: Report,
  tolerancePct: number,
  baselineName: string,
): NonNullable<Report['comparison']> {
  const get = (r: Report, metric: string, key: string): number => r.metrics[metric]?.values[key] ?? 0;
  const verdicts: RegressionVerdict[] = SERIES.map(({ metric, key, single, higherWorse }) => {
    const b = windowsOf(baseline, key);
    const c = windowsOf(current, key);
    if (b.length < MIN_WINDOWS || c.length < MIN_WINDOWS) {
      const bv = get(baseline, ...single);
      const cv = get(current, ...single);
      const changePct = bv === 0 ? (cv === 0 ? 0 : 100) : Math.round(((cv - bv) / bv) * 1000) / 10;
      return {
        metric,
        baseline: bv,
        current: cv,
        changePct,
        regressed: higherWorse ? changePct > tolerancePct : changePct < -tolerancePct,
        method: 'single figures (fewer than 5 one-second windows: no noise estimate)',
      };
    }
    const est = bootstrapChange(b, c);
    const regressed = higherWorse ? est.ciLowPct > tolerancePct : est.ciHighPct < -tolerancePct;
    return {
      metric,
      baseline: round(median(b)),
      current: round(median(c)),
      changePct: est.changePct,
      ciPct: [est.ciLowPct, est.ciHighPct],
      regressed,
      method: `median of ${b.length} vs ${c.length} one-second windows, 95% bootstrap interval`,
    };
  });
  verdicts.push(errorRateVerdict(baseline, current, tolerancePct));
  return { baseline: baselineName, tolerancePct, verdicts, regressed: verdicts.some((v) => v.regressed) };
}

function errorRateVerdict(baseline: Report, current: Report, tolerancePct: number): RegressionVerdict {
  const counts = (r: Report) => ({
    n: r.metrics.http_reqs?.values.count ?? 0,
    failed: r.metrics.http_req_failed?.values.passes ?? 0,
    rate: r.metrics.http_req_failed?.values.rate ?? 0,
  });
  const b = counts(baseline);
  const c = counts(current);
  const pooled = b.n + c.n ? (b.failed + c.failed) / (b.n + c.n) : 0;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / Math.max(b.n, 1) + 1 / Math.max(c.n, 1)));
  const z = se === 0 ? (c.rate > b.rate ? Infinity : 0) : (c.rate - b.rate) / se;
  const changePct = b.rate === 0 ? (c.rate === 0 ? 0 : 100) : Math.round(((c.rate - b.rate) / b.rate) * 1000) / 10;
  return {
    metric: 'http_req_failed rate',
    baseline: b.rate,
    current: c.rate,
    changePct,
    regressed: c.rate > b.rate * (1 + tolerancePct / 100) + 0.001 && z > 1.96,
    method: 'whole-run proportions, two-proportion z-test',
  };
}
