import { MetricsSet } from '../metrics/metrics-set.js';

/** The thread-local sink requests record into; swapped for a fresh set every second. */
export class Recorder {
  current = new MetricsSet();
  activeVus = 0;

  /** Lets a hot loop that accumulates on its own fold its numbers in just before a second closes. */
  beforeSwap: ((set: MetricsSet) => void) | undefined;

  swap(): MetricsSet {
    const done = this.current;
    this.beforeSwap?.(done);
    done.vus = this.activeVus;
    done.vusMax = Math.max(done.vusMax, this.activeVus);
    this.current = new MetricsSet();
    this.current.vusMax = this.activeVus;
    return done;
  }

  vuStarted(): void {
    this.activeVus++;
    if (this.activeVus > this.current.vusMax) this.current.vusMax = this.activeVus;
  }

  vuStopped(): void {
    this.activeVus--;
  }
}
