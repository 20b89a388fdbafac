import { percentileMs } from './histogram.js';
import type { MetricsSet } from './metrics-set.js';

/** One point per second (merged pairwise when the run is long): what the HTML charts draw. */
export interface TimelinePoint {
  t: number;
  span: number;
  rps: number;
  errorRate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  vus: number;
  dropped: number;
}

const MAX_POINTS = 1800;

/** Bounded series of per-second summaries; halves its resolution when it fills. */
export class Timeline {
  points: TimelinePoint[] = [];

  add(t: number, second: MetricsSet): void {
    const d = second.duration;
    this.points.push({
      t,
      span: 1,
      rps: second.reqs,
      errorRate: second.reqs ? second.failed / second.reqs : 0,
      p50: percentileMs(d, 50),
      p90: percentileMs(d, 90),
      p99: percentileMs(d, 99),
      max: percentileMs(d, 100),
      vus: second.vus,
      dropped: second.dropped,
    });
    if (this.points.length > MAX_POINTS) this.compact();
  }

  private compact(): void {
    const merged: TimelinePoint[] = [];
    for (let i = 0; i < this.points.length; i += 2) {
      const a = this.points[i];
      const b = this.points[i + 1];
      if (!b) {
        merged.push(a);
        continue;
      }
      const span = a.span + b.span;
      // Percentiles of merged seconds are not exact: the worse of the two is kept (conservative).
      merged.push({
        t: a.t,
        span,
        rps: (a.rps * a.span + b.rps * b.span) / span,
        errorRate: (a.errorRate * a.span + b.errorRate * b.span) / span,
        p50: Math.max(a.p50, b.p50),
        p90: Math.max(a.p90, b.p90),
        p99: Math.max(a.p99, b.p99),
        max: Math.max(a.max, b.max),
        vus: Math.max(a.vus, b.vus),
        dropped: a.dropped + b.dropped,
      });
    }
    this.points = merged;
  }
}
