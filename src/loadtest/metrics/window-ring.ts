import { MetricsSet } from './metrics-set.js';

/** The last `capacity` one-second MetricsSets, for thresholds over a sliding window. Bounded. */
export class WindowRing {
  private readonly slots: Array<MetricsSet | undefined>;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<MetricsSet | undefined>(Math.max(1, capacity));
  }

  push(second: MetricsSet): void {
    if (this.capacity === 0) return;
    this.slots[this.next] = second;
    this.next = (this.next + 1) % this.slots.length;
    this.filled = Math.min(this.filled + 1, this.slots.length);
  }

  get size(): number {
    return this.filled;
  }

  /** Merge of the most recent `seconds` seconds (fewer when the run is younger). */
  last(seconds: number): MetricsSet {
    const merged = new MetricsSet();
    const n = Math.min(seconds, this.filled);
    for (let i = 1; i <= n; i++) {
      const slot = this.slots[(this.next - i + this.slots.length) % this.slots.length];
      if (slot) merged.add(slot);
    }
    return merged;
  }
}
