import type { Sample } from './prometheus.js';

/** What the target's /metrics gives between two scrapes, as threshold metrics (`target_cpu: avg<80`). */
export const TARGET_METRICS = [
  'target_cpu',
  'target_memory',
  'target_event_loop_lag',
  'target_redis_latency',
  'target_db_latency',
] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

export interface SeriesSummary {
  avg: number;
  min: number;
  max: number;
  value: number;
  samples: number;
}

const total = (samples: Sample[], name: string): number | undefined => {
  const found = samples.filter((s) => s.name === name);
  return found.length ? found.reduce((a, s) => a + s.value, 0) : undefined;
};

/** Mean of a Prometheus histogram over an interval, in ms: Δsum / Δcount. */
function meanMs(a: Sample[], b: Sample[], family: string): number | undefined {
  const sumA = total(a, `${family}_sum`);
  const sumB = total(b, `${family}_sum`);
  const countA = total(a, `${family}_count`);
  const countB = total(b, `${family}_count`);
  if (sumB === undefined || countB === undefined) return undefined;
  const n = countB - (countA ?? 0);
  return n > 0 ? ((sumB - (sumA ?? 0)) / n) * 1000 : undefined;
}

/**
 * One point per scrape interval for each target metric: CPU in % of one core, resident memory in MB, event-loop
 * lag p99 in ms, mean Redis and database operation time in ms (Tessera's own histograms). Absent families are
 * left out.
 */
export class TargetSeries {
  private readonly points = new Map<TargetMetric, number[]>();

  add(prev: { at: number; samples: Sample[] }, cur: { at: number; samples: Sample[] }): void {
    const seconds = (cur.at - prev.at) / 1000;
    const cpuA = total(prev.samples, 'process_cpu_seconds_total');
    const cpuB = total(cur.samples, 'process_cpu_seconds_total');
    if (cpuA !== undefined && cpuB !== undefined && seconds > 0)
      this.push('target_cpu', ((cpuB - cpuA) / seconds) * 100);
    const rss = total(cur.samples, 'process_resident_memory_bytes');
    if (rss !== undefined) this.push('target_memory', rss / 1e6);
    const lag =
      total(cur.samples, 'nodejs_eventloop_lag_p99_seconds') ?? total(cur.samples, 'nodejs_eventloop_lag_seconds');
    if (lag !== undefined) this.push('target_event_loop_lag', lag * 1000);
    const redis = meanMs(prev.samples, cur.samples, 'tessera_redis_operation_duration_seconds');
    if (redis !== undefined) this.push('target_redis_latency', redis);
    const db = meanMs(prev.samples, cur.samples, 'tessera_db_operation_duration_seconds');
    if (db !== undefined) this.push('target_db_latency', db);
  }

  private push(metric: TargetMetric, value: number): void {
    const list = this.points.get(metric) ?? [];
    list.push(value);
    this.points.set(metric, list);
  }

  summary(): Partial<Record<TargetMetric, SeriesSummary>> {
    const out: Partial<Record<TargetMetric, SeriesSummary>> = {};
    const r = (v: number): number => Math.round(v * 1000) / 1000;
    for (const [metric, list] of this.points)
      out[metric] = {
        avg: r(list.reduce((a, v) => a + v, 0) / list.length),
        min: r(Math.min(...list)),
        max: r(Math.max(...list)),
        value: r(list.at(-1)!),
        samples: list.length,
      };
    return out;
  }
}
