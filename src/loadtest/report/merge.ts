import { MetricsSet } from '../metrics/metrics-set.js';
import type { Report } from './types.js';
import { buildReport } from './build.js';
import type { TimelinePoint } from '../metrics/timeline.js';

/**
 * Merges reports of runs made at the same time (several machines): histograms and counters add
 * exactly; the duration is the longest run's. Timelines are summed point by point (rates and counts;
 * percentiles take the worst).
 */
export function mergeReports(reports: Report[], errors: string[]): Report | undefined {
  const totals = new MetricsSet();
  for (const [i, r] of reports.entries()) {
    if (r?.histograms?.totals === undefined) {
      errors.push(`report ${i + 1} has no histograms (not a tessera loadtest JSON report)`);
      continue;
    }
    try {
      const set = MetricsSet.fromWire(r.histograms.totals);
      const vus = totals.vusMax + set.vusMax;
      totals.add(set);
      totals.vusMax = vus;
    } catch (error) {
      errors.push(`report ${i + 1}: histograms cannot be decoded (${(error as Error).message})`);
    }
  }
  if (errors.length) return undefined;
  const timeline: TimelinePoint[] = [];
  for (const r of reports) {
    r.timeline.forEach((p, i) => {
      const into = timeline[i];
      if (!into) timeline[i] = { ...p };
      else {
        const rps = into.rps + p.rps;
        into.errorRate = rps ? (into.errorRate * into.rps + p.errorRate * p.rps) / rps : 0;
        into.rps = rps;
        into.p50 = Math.max(into.p50, p.p50);
        into.p90 = Math.max(into.p90, p.p90);
        into.p99 = Math.max(into.p99, p.p99);
        into.max = Math.max(into.max, p.max);
        into.vus += p.vus;
        into.dropped += p.dropped;
      }
    });
  }
  const first = reports[0];
  const startedAt = new Date(Math.min(...reports.map((r) => Date.parse(r.startedAt))));
  const merged = buildReport({
    totals,
    timeline,
    startedAt,
    durationMs: Math.max(...reports.map((r) => r.durationMs)),
    config: { ...first.config, mergedFrom: reports.length },
    scenario: { ...first.scenario, results: {} },
    thresholds: [],
    thresholdResults: {},
    generator: {
      ...first.generator,
      cpu: reports.reduce((a, r) => a + r.generator.cpu, 0),
      threads: reports.reduce((a, r) => a + r.generator.threads, 0),
      saturated: reports.some((r) => r.generator.saturated),
      reasons: reports.flatMap((r) => r.generator.reasons),
      contended: reports.some((r) => r.generator.contended),
    },
    target: first.target,
    label: first.label,
  });
  return merged;
}
