import type { Report } from './report/types.js';

export interface CapacityInput {
  dau: number;
  requestsPerSession: number;
  /** Peak hour traffic as a multiple of the average. */
  peak: number;
  sessionsPerUser: number;
  /** Share of a measured sustainable rate an instance should run at (headroom for bursts). */
  targetUtilisation: number;
}

export interface CapacityResult {
  averageRps: number;
  peakRps: number;
  sustainableRps?: number;
  headroom?: number;
  instances?: number;
  note?: string;
}

const round = (v: number): number => Math.round(v * 100) / 100;

/** Traffic assumptions → req/s; with a breakpoint report → headroom and instance count. */
export function capacity(input: CapacityInput, report?: Report): CapacityResult {
  const averageRps = (input.dau * input.sessionsPerUser * input.requestsPerSession) / 86_400;
  const peakRps = averageRps * input.peak;
  const out: CapacityResult = { averageRps: round(averageRps), peakRps: round(peakRps) };
  if (!report) return out;
  // A breakpoint report gives iterations/s; turn it into req/s with the run's requests per iteration.
  const iterations = report.metrics.iterations?.values.count ?? 0;
  const reqs = report.metrics.http_reqs?.values.count ?? 0;
  const perIteration = iterations > 0 ? reqs / iterations : 1;
  let sustainable = report.breakpoint
    ? report.breakpoint.sustainableRate * perIteration
    : report.metrics.http_reqs?.values.rate;
  if (!report.breakpoint)
    out.note = 'the report is not a breakpoint run: using its measured throughput, which may be below the real limit';
  if (sustainable === undefined || sustainable <= 0) return { ...out, note: 'the report has no sustainable rate' };
  sustainable = round(sustainable);
  out.sustainableRps = sustainable;
  out.headroom = round(sustainable / Math.max(peakRps, 1e-9));
  out.instances = Math.max(1, Math.ceil(peakRps / (sustainable * input.targetUtilisation)));
  return out;
}
