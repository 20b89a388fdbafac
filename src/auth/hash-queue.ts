import { OverloadedError } from '../errors/index.js';

export interface HashQueueOptions {
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes that may wait for a slot; beyond it a new one is shed. */
  maxQueued: number;
  /** A hash whose expected wait for a slot exceeds this (ms) is shed. */
  maxWaitMs: number;
}

/** Weight of the newest hash duration in the running average the wait estimate uses. */
const SMOOTHING = 0.2;

/**
 * The bounded queue in front of the password hasher. At most `concurrency` hashes run; others wait in order,
 * but only while the queue is short: when `maxQueued` are already waiting, or the wait would exceed `maxWaitMs`
 * (queue position ÷ concurrency × the running average of a hash), the call is refused at once with 503
 * `unavailable` and a `Retry-After` of the time the queue needs to drain. An admitted login's latency is then
 * bounded by about `maxWaitMs` plus one hash, however large the flood.
 */
export class HashQueue {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** Running average of one hash's duration (ms); 0 until the first one ends (only `maxQueued` applies then). */
  private averageMs = 0;
  private shedCount = 0;

  constructor(
    private readonly options: HashQueueOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Hashes waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Hashes refused since start. */
  get shed(): number {
    return this.shedCount;
  }

  /** Expected wait (ms) of a hash that would be `position`-th in the queue. */
  expectedWaitMs(position: number): number {
    return Math.ceil(position / this.options.concurrency) * this.averageMs;
  }

  /**
   * Throws the OverloadedError `run` would throw now, without queueing anything: a login calls it first, so a
   * flood is shed before its database lookup and brute-force checks, not only at the hash.
   */
  admitOrThrow(): void {
    if (this.active < this.options.concurrency) return;
    const position = this.waiting.length + 1;
    if (position > this.options.maxQueued || this.expectedWaitMs(position) > this.options.maxWaitMs) {
      this.shedCount += 1;
      throw new OverloadedError(Math.max(1, Math.ceil(this.expectedWaitMs(this.waiting.length) / 1000)));
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.options.concurrency) this.active += 1;
    else {
      this.admitOrThrow();
      // The slot is handed over by the hash that ends (see release), so no newcomer can take it in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const started = this.now();
    try {
      return await task();
    } finally {
      this.record(this.now() - started);
      this.release();
    }
  }

  private record(ms: number): void {
    this.averageMs = this.averageMs === 0 ? ms : this.averageMs + SMOOTHING * (ms - this.averageMs);
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}
