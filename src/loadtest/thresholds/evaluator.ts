import { createHistogram, percentileMs, type Histogram } from '../metrics/histogram.js';
import type { MetricsSet } from '../metrics/metrics-set.js';
import type { Aggregate } from '../metrics/aggregate.js';
import type { Threshold, ThresholdResult } from './types.js';
import type { SeriesSummary } from '../monitor/target-series.js';

const isTargetMetric = (metric: string): boolean => metric.startsWith('target_');

function stepsMatching(set: MetricsSet, tags: Record<string, string>) {
  const steps = [...set.steps.entries()]
    .filter(([name]) => tags.step === undefined || name === tags.step)
    .map(([, s]) => s);
  return steps;
}

function trendValue(h: Histogram, t: Threshold): number {
  if (h.totalCount === 0) return 0;
  switch (t.aggregation) {
    case 'avg':
      return h.mean / 1000;
    case 'min':
      return h.minNonZeroValue / 1000;
    case 'max':
      return h.maxValue / 1000;
    case 'med':
      return percentileMs(h, 50);
    case 'count':
      return h.totalCount;
    default:
      return percentileMs(h, t.percentile ?? 50);
  }
}

/** The value a threshold's aggregation takes over `set`, which covers `seconds` of the run. */
export function metricValue(set: MetricsSet, t: Threshold, seconds: number): number {
  const tags = t.tags;
  const filtered = tags.step !== undefined || tags.status !== undefined;
  switch (t.metric) {
    case 'http_req_duration': {
      if (!filtered) return trendValue(set.duration, t);
      const merged = createHistogram();
      for (const s of stepsMatching(set, tags)) merged.add(s.duration);
      return trendValue(merged, t);
    }
    case 'iteration_duration':
      return trendValue(set.iterationDuration, t);
    case 'http_req_failed':
    case 'http_reqs': {
      let reqs = set.reqs;
      let failed = set.failed;
      if (filtered) {
        reqs = 0;
        failed = 0;
        for (const s of stepsMatching(set, tags)) {
          if (tags.status !== undefined) {
            reqs += s.statuses[tags.status] ?? 0;
            if (!/^[23]\d\d$/.test(tags.status)) failed += s.statuses[tags.status] ?? 0;
          } else {
            reqs += s.reqs;
            failed += s.failed;
          }
        }
      }
      if (t.metric === 'http_reqs') return t.aggregation === 'count' ? reqs : reqs / Math.max(seconds, 1e-9);
      if (t.aggregation === 'passes') return reqs - failed;
      if (t.aggregation === 'fails') return failed;
      return reqs === 0 ? 0 : failed / reqs;
    }
    case 'checks': {
      let pass = set.checksPass;
      let fail = set.checksFail;
      if (tags.check !== undefined) {
        const c = set.checks.get(tags.check);
        pass = c?.passes ?? 0;
        fail = c?.fails ?? 0;
      }
      if (t.aggregation === 'passes') return pass;
      if (t.aggregation === 'fails') return fail;
      return pass + fail === 0 ? 0 : pass / (pass + fail);
    }
    case 'iterations':
      return t.aggregation === 'count' ? set.iterations : set.iterations / Math.max(seconds, 1e-9);
    case 'dropped_iterations':
      return t.aggregation === 'count' ? set.dropped : set.dropped / Math.max(seconds, 1e-9);
    case 'attack_blocked':
    case 'legit_failed': {
      const [part, whole] =
        t.metric === 'attack_blocked' ? ['attack_blocked', 'attack_requests'] : ['legit_failed', 'legit_requests'];
      return rateValue(set.counters[part] ?? 0, set.counters[whole] ?? 0, t);
    }
    case 'bans_seen': {
      const bans = set.counters.bans_seen ?? 0;
      return t.aggregation === 'count' ? bans : bans / Math.max(seconds, 1e-9);
    }
    case 'attack_time_to_block':
      return trendValue(set.trends.get('attack_time_to_block') ?? createHistogram(), t);
    case 'vus':
    case 'vus_max':
      return t.aggregation === 'max' || t.metric === 'vus_max' ? set.vusMax : set.vus;
    default:
      return NaN;
  }
}

/** A k6 rate over `whole` events of which `part` were true. */
function rateValue(part: number, whole: number, t: Threshold): number {
  if (t.aggregation === 'passes') return part;
  if (t.aggregation === 'fails') return whole - part;
  return whole === 0 ? 0 : part / whole;
}

export function compare(value: number, t: Threshold): boolean {
  switch (t.op) {
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
    case '==':
    case '===':
      return value === t.value;
    case '!=':
      return value !== t.value;
  }
}

/**
 * Tracks every threshold over a run. Whole-run thresholds are judged on the totals; windowed
 * ones (`over 30s`) on each sliding window once it is full, and a failed window stays failed.
 */
export class ThresholdTracker {
  private readonly windowFailed = new Set<string>();
  private readonly lastWindowValue = new Map<string, number>();

  constructor(readonly thresholds: Threshold[]) {}

  /** Called once per closed second. Returns the thresholds that failed and ask to abort. */
  tick(aggregate: Aggregate, elapsedMs: number): Threshold[] {
    const abort: Threshold[] = [];
    for (const t of this.thresholds) {
      if (isTargetMetric(t.metric)) continue;
      let ok: boolean;
      if (t.windowSec !== undefined) {
        if (aggregate.ring.size < t.windowSec) continue;
        const value = metricValue(aggregate.ring.last(t.windowSec), t, t.windowSec);
        this.lastWindowValue.set(t.key, value);
        ok = compare(value, t);
        if (!ok) this.windowFailed.add(t.key);
      } else {
        ok = compare(metricValue(aggregate.totals, t, Math.max(elapsedMs / 1000, 1)), t);
      }
      if (!ok && t.abortOnFail && elapsedMs >= t.delayAbortEvalMs) abort.push(t);
    }
    return abort;
  }

  /** True when every windowed threshold passes on its current window (for breakpoint search). */
  windowsPassing(aggregate: Aggregate): boolean {
    for (const t of this.thresholds) {
      if (t.windowSec === undefined) continue;
      const seconds = Math.min(t.windowSec, aggregate.ring.size);
      if (seconds === 0) continue;
      if (!compare(metricValue(aggregate.ring.last(seconds), t, seconds), t)) return false;
    }
    return true;
  }

  /** Final verdicts, keyed `METRIC: EXPR`. Target metrics are judged on what /metrics gave during the run. */
  results(
    aggregate: Aggregate,
    elapsedMs: number,
    target?: Partial<Record<string, SeriesSummary>>,
  ): Record<string, ThresholdResult> {
    const out: Record<string, ThresholdResult> = {};
    for (const t of this.thresholds) {
      if (isTargetMetric(t.metric)) {
        const series = target?.[t.metric];
        // Never scraped: the threshold cannot pass (value NaN).
        const value = series ? series[t.aggregation as 'avg' | 'min' | 'max' | 'value'] : NaN;
        out[t.key] = { ok: series !== undefined && compare(value, t), value: round(value) };
        continue;
      }
      if (t.windowSec !== undefined) {
        const seconds = Math.min(t.windowSec, Math.max(aggregate.ring.size, 1));
        const value = this.lastWindowValue.get(t.key) ?? metricValue(aggregate.ring.last(seconds), t, seconds);
        const ok = !this.windowFailed.has(t.key) && compare(value, t);
        out[t.key] = { ok, value: round(value) };
      } else {
        const value = metricValue(aggregate.totals, t, Math.max(elapsedMs / 1000, 1e-3));
        out[t.key] = { ok: compare(value, t), value: round(value) };
      }
    }
    return out;
  }
}

const round = (v: number): number => (Number.isFinite(v) ? Math.round(v * 10000) / 10000 : v);
