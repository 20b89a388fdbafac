import { trendValues } from '../metrics/histogram.js';
import type { MetricsSet } from '../metrics/metrics-set.js';
import type { TimelinePoint } from '../metrics/timeline.js';
import { createHistogram } from '../metrics/histogram.js';
import type { Threshold } from '../thresholds/types.js';
import type { GeneratorReport } from '../monitor/generator.js';
import type { TargetReport } from '../monitor/target.js';
import type { MetricReport, Report, StepReport } from './types.js';
import { gradeRun } from './grade.js';

export interface BuildInput {
  totals: MetricsSet;
  timeline: TimelinePoint[];
  startedAt: Date;
  durationMs: number;
  config: Record<string, unknown>;
  scenario: { name: string; description: string; results: Record<string, number | string> };
  thresholds: Threshold[];
  thresholdResults: Record<string, { ok: boolean; value?: number }>;
  generator: GeneratorReport;
  target: TargetReport;
  label?: string;
  breakpoint?: Report['breakpoint'];
  aborted?: string;
}

const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** k6's metric map for a set of totals over `seconds`. */
export function metricsOf(
  totals: MetricsSet,
  seconds: number,
  timeline: TimelinePoint[],
): Record<string, MetricReport> {
  const s = Math.max(seconds, 1e-3);
  const vusSeen = timeline.map((p) => p.vus);
  return {
    http_reqs: { type: 'counter', values: { count: totals.reqs, rate: round(totals.reqs / s, 3) } },
    http_req_duration: { type: 'trend', contains: 'time', values: trendValues(totals.duration) },
    http_req_failed: {
      type: 'rate',
      values: {
        rate: totals.reqs ? round(totals.failed / totals.reqs) : 0,
        passes: totals.failed,
        fails: totals.reqs - totals.failed,
      },
    },
    iterations: { type: 'counter', values: { count: totals.iterations, rate: round(totals.iterations / s, 3) } },
    iteration_duration: { type: 'trend', contains: 'time', values: trendValues(totals.iterationDuration) },
    dropped_iterations: { type: 'counter', values: { count: totals.dropped, rate: round(totals.dropped / s, 3) } },
    checks: {
      type: 'rate',
      values: {
        rate:
          totals.checksPass + totals.checksFail
            ? round(totals.checksPass / (totals.checksPass + totals.checksFail))
            : 0,
        passes: totals.checksPass,
        fails: totals.checksFail,
      },
    },
    vus: {
      type: 'gauge',
      values: { value: totals.vus, min: vusSeen.length ? Math.min(...vusSeen) : 0, max: totals.vusMax },
    },
    vus_max: { type: 'gauge', values: { value: totals.vusMax, min: totals.vusMax, max: totals.vusMax } },
    ...attackMetrics(totals, s),
  };
}

const rateOf = (part: number, whole: number): MetricReport => ({
  type: 'rate',
  values: { rate: whole ? round(part / whole) : 0, passes: part, fails: whole - part },
});

/** bruteforce / bot: the attack's and the legitimate users' outcome as k6 metrics (usable in thresholds). */
function attackMetrics(totals: MetricsSet, seconds: number): Record<string, MetricReport> {
  const c = totals.counters;
  if (c.attack_requests === undefined && c.legit_requests === undefined) return {};
  return {
    attack_blocked: rateOf(c.attack_blocked ?? 0, c.attack_requests ?? 0),
    legit_failed: rateOf(c.legit_failed ?? 0, c.legit_requests ?? 0),
    bans_seen: { type: 'counter', values: { count: c.bans_seen ?? 0, rate: round((c.bans_seen ?? 0) / seconds, 3) } },
    attack_time_to_block: {
      type: 'trend',
      contains: 'time',
      values: trendValues(totals.trends.get('attack_time_to_block') ?? createHistogram()),
    },
  };
}

export function stepsOf(totals: MetricsSet, seconds: number): Record<string, StepReport> {
  const steps: Record<string, StepReport> = {};
  for (const [name, step] of totals.steps) {
    const tiers = step.cache;
    const tiered = (tiers.L1 ?? 0) + (tiers.L2 ?? 0) + (tiers.DB ?? 0);
    steps[name] = {
      reqs: step.reqs,
      rps: round(step.reqs / Math.max(seconds, 1e-3), 3),
      failed: step.failed,
      errorRate: step.reqs ? round(step.failed / step.reqs) : 0,
      duration: trendValues(step.duration),
      statuses: { ...step.statuses },
      errors: { ...step.errors },
      cache: { ...tiers },
      ...(tiered ? { cacheHitRate: round(((tiers.L1 ?? 0) + (tiers.L2 ?? 0)) / tiered) } : {}),
    };
  }
  return steps;
}

/** Tag-filtered submetrics the thresholds name, as k6 lists them (`http_req_duration{step:login}`). */
function submetrics(totals: MetricsSet, thresholds: Threshold[]): Record<string, MetricReport> {
  const out: Record<string, MetricReport> = {};
  for (const t of thresholds) {
    if (t.tags.step === undefined || t.tags.status !== undefined) continue;
    const step = totals.steps.get(t.tags.step);
    const key = `${t.metric}{step:${t.tags.step}}`;
    if (t.metric === 'http_req_duration')
      out[key] = { type: 'trend', contains: 'time', values: trendValues(step?.duration ?? createHistogram()) };
    if (t.metric === 'http_req_failed')
      out[key] = {
        type: 'rate',
        values: {
          rate: step?.reqs ? round(step.failed / step.reqs) : 0,
          passes: step?.failed ?? 0,
          fails: (step?.reqs ?? 0) - (step?.failed ?? 0),
        },
      };
  }
  return out;
}

export function buildReport(input: BuildInput): Report {
  const seconds = input.durationMs / 1000;
  const metrics = {
    ...metricsOf(input.totals, seconds, input.timeline),
    ...submetrics(input.totals, input.thresholds),
  };
  const report: Report = {
    tool: 'tessera loadtest',
    version: 1,
    ...(input.label ? { label: input.label } : {}),
    startedAt: input.startedAt.toISOString(),
    durationMs: Math.round(input.durationMs),
    config: input.config,
    scenario: input.scenario,
    metrics,
    thresholds: input.thresholdResults,
    steps: stepsOf(input.totals, seconds),
    errors: input.totals.errorKinds(),
    checks: Object.fromEntries(input.totals.checks),
    grade: 'F',
    recommendations: [],
    generator: input.generator,
    target: input.target,
    ...(input.breakpoint ? { breakpoint: input.breakpoint } : {}),
    ...(input.aborted ? { aborted: input.aborted } : {}),
    timeline: input.timeline,
    histograms: { encoding: 'hdr-histogram-js compressed base64', unit: 'microseconds', totals: input.totals.toWire() },
  };
  const judged = gradeRun(report);
  report.grade = judged.grade;
  report.recommendations = judged.recommendations;
  return report;
}
