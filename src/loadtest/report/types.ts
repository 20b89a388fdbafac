import type { TrendValues } from '../metrics/histogram.js';
import type { MetricsWire } from '../metrics/metrics-set.js';
import type { TimelinePoint } from '../metrics/timeline.js';
import type { GeneratorReport } from '../monitor/generator.js';
import type { TargetReport } from '../monitor/target.js';
import type { Counts } from '../metrics/counts.js';

export interface MetricReport {
  type: 'counter' | 'trend' | 'rate' | 'gauge';
  contains?: 'time';
  values: Record<string, number>;
}

export interface StepReport {
  reqs: number;
  rps: number;
  failed: number;
  errorRate: number;
  duration: TrendValues;
  statuses: Counts;
  errors: Counts;
  cache: Counts;
  cacheHitRate?: number;
}

export interface RegressionVerdict {
  metric: string;
  baseline: number;
  current: number;
  changePct: number;
  /** 95 % confidence interval of the change (%), when the runs had enough one-second windows. */
  ciPct?: [number, number];
  regressed: boolean;
  /** How the verdict was reached (windows and interval, or single figures). */
  method?: string;
}

/** The JSON report: k6's summary shape plus what Tessera adds. */
export interface Report {
  tool: 'tessera loadtest';
  version: 1;
  label?: string;
  startedAt: string;
  durationMs: number;
  config: Record<string, unknown>;
  scenario: { name: string; description: string; results: Record<string, number | string> };
  metrics: Record<string, MetricReport>;
  thresholds: Record<string, { ok: boolean; value?: number }>;
  steps: Record<string, StepReport>;
  errors: Counts;
  checks: Record<string, { passes: number; fails: number }>;
  grade: string;
  recommendations: string[];
  generator: GeneratorReport;
  target: TargetReport;
  breakpoint?: { sustainableRate: number; highestRateTried: number; failedThresholds: string[] };
  aborted?: string;
  comparison?: { baseline: string; tolerancePct: number; verdicts: RegressionVerdict[]; regressed: boolean };
  timeline: TimelinePoint[];
  histograms: { encoding: 'hdr-histogram-js compressed base64'; unit: 'microseconds'; totals: MetricsWire };
  /** Suites: the reports of each test, in order. */
  runs?: Report[];
}
