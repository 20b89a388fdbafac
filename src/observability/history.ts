import { mergeInstances, viewOf, type Aggregate, type AggregateView } from './aggregate.js';
import { MINUTE_MS, minuteStart, type HistoryStore } from './history-store.js';
import { MemoryHistoryStore } from './history-store-memory.js';
import type { Recorder } from './recorder.js';

export interface HistoryOptions {
  recorder: Recorder;
  /** Shared store (Redis when scaled); this instance also keeps its own minutes in memory as a fallback. */
  store: HistoryStore;
  instanceId: string;
  retentionMs: number;
  now?: () => number;
  onError?: (err: unknown, what: string) => void;
  /** Seconds of recent traffic the live view covers. */
  liveWindowSec?: number;
  /** Last successful cleanup seen by this instance, shared with the others through the live view. */
  lastCleanupAt?: () => number | undefined;
}

const LIVE_MAX_AGE_MS = 5_000;

/**
 * Rolls the recorder's seconds up into one-minute aggregates (written once per completed minute), publishes this
 * instance's recent window for the cluster-wide live view, and reads both back merged across instances.
 */
export class History {
  private readonly local: MemoryHistoryStore;
  private readonly now: () => number;
  private readonly liveWindowSec: number;
  private lastFlushed: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(private readonly options: HistoryOptions) {
    this.now = options.now ?? Date.now;
    this.liveWindowSec = options.liveWindowSec ?? 10;
    this.local = MemoryHistoryStore.memory(options.retentionMs);
    // The minute in progress at start is partial: start with the next complete one.
    this.lastFlushed = minuteStart(this.now()) - MINUTE_MS;
  }

  get storeKind(): HistoryStore['kind'] {
    return this.options.store.kind;
  }

  start(intervalMs = 2_000): void {
    this.timer ??= setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.tick().catch(() => {});
  }

  /** Writes every completed minute not yet written and publishes the live window. Safe to call any time. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = this.now();
      const { recorder, store, instanceId } = this.options;
      // A minute is complete a second after it ends (the last slot may still be taking a late event).
      const lastComplete = minuteStart(now - 1_000) - MINUTE_MS;
      for (
        let t = Math.max(this.lastFlushed + MINUTE_MS, lastComplete - MINUTE_MS);
        t <= lastComplete;
        t += MINUTE_MS
      ) {
        const minute = recorder.minute(t);
        await this.local.writeMinute(instanceId, minute);
        await store.writeMinute(instanceId, minute).catch((err) => this.options.onError?.(err, 'history write'));
        this.lastFlushed = t;
      }
      await store.publishLive(instanceId, this.mine(), now).catch((err) => this.options.onError?.(err, 'live publish'));
    } finally {
      this.ticking = false;
    }
  }

  /** One point per minute of the window (oldest first), merged across instances; minutes without data are zero. */
  async minutes(windowMs: number): Promise<Aggregate[]> {
    const to = minuteStart(this.now());
    const from = to - Math.ceil(windowMs / MINUTE_MS) * MINUTE_MS;
    let byMinute: Map<number, Aggregate[]>;
    try {
      byMinute = await this.options.store.readMinutes(from, to);
    } catch (err) {
      this.options.onError?.(err, 'history read');
      byMinute = await this.local.readMinutes(from, to);
    }
    const out: Aggregate[] = [];
    for (let t = from; t < to; t += MINUTE_MS) {
      const parts = byMinute.get(t);
      out.push(
        parts
          ? { ...mergeInstances(parts), start: t, durationMs: MINUTE_MS }
          : { ...mergeInstances([]), start: t, durationMs: MINUTE_MS },
      );
    }
    return out;
  }

  async history(windowMs: number): Promise<AggregateView[]> {
    return (await this.minutes(windowMs)).map(viewOf);
  }

  private mine(): Aggregate {
    const window = this.options.recorder.window(this.liveWindowSec);
    const lastCleanupAt = this.options.lastCleanupAt?.();
    return lastCleanupAt === undefined ? window : { ...window, lastCleanupAt };
  }

  /** The last few seconds across every live instance (this one read locally, so it is never stale). */
  async live(): Promise<Aggregate> {
    const mine = this.mine();
    let others: Aggregate[] = [];
    try {
      const all = await this.options.store.readLive(this.now(), LIVE_MAX_AGE_MS);
      all.delete(this.options.instanceId);
      others = [...all.values()];
    } catch (err) {
      this.options.onError?.(err, 'live read');
    }
    const merged = mergeInstances([mine, ...others]);
    merged.start = mine.start;
    merged.durationMs = mine.durationMs;
    return merged;
  }
}
