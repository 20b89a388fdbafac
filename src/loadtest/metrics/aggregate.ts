import { MetricsSet } from './metrics-set.js';
import { WindowRing } from './window-ring.js';
import { Timeline } from './timeline.js';

/**
 * The run's one owner of metrics: every second, each thread hands over what it recorded;
 * the aggregate keeps exact totals, a bounded ring for sliding-window thresholds, and a timeline.
 */
export class Aggregate {
  readonly totals = new MetricsSet();
  readonly ring: WindowRing;
  readonly timeline = new Timeline();
  private pending = new MetricsSet();
  private pendingParts = 0;
  seconds = 0;

  constructor(
    windowSeconds: number,
    private readonly parts = 1,
  ) {
    this.ring = new WindowRing(Math.max(1, windowSeconds));
  }

  /** One thread's second. When every thread has reported, the second is closed. */
  ingest(second: MetricsSet): boolean {
    this.totals.add(second);
    const vus = this.pending.vus + second.vus;
    const vusMax = (this.pendingParts === 0 ? 0 : this.pending.vusMax) + second.vusMax;
    this.pending.add(second);
    this.pending.vus = vus;
    this.pending.vusMax = vusMax;
    this.pendingParts++;
    if (this.pendingParts < this.parts) return false;
    this.closeSecond();
    return true;
  }

  /** Close the current second even if some thread has not reported (end of run). */
  flush(): void {
    if (this.pendingParts > 0) this.closeSecond();
  }

  /** Called with each closed second (all threads merged), before the next one starts: --out ndjson. */
  onClose: ((second: number, set: MetricsSet) => void) | undefined;

  private closeSecond(): void {
    this.seconds++;
    this.onClose?.(this.seconds, this.pending);
    this.totals.vus = this.pending.vus;
    this.totals.vusMax = Math.max(this.totals.vusMax, this.pending.vusMax);
    this.ring.push(this.pending.packed());
    this.timeline.add(this.seconds, this.pending);
    this.pending = new MetricsSet();
    this.pendingParts = 0;
  }

  /** VUs summed over threads for the last closed second. */
  get lastSecond(): MetricsSet {
    return this.ring.last(1);
  }
}
