import type { Aggregate } from './aggregate.js';

/**
 * Where one-minute aggregates (history) and each instance's last few seconds (the live view) are kept so that
 * every instance reads one cluster-wide view: Redis when scaled, memory (and a file) when embedded.
 * Each instance writes its own entries; readers merge across instances.
 */
export interface HistoryStore {
  readonly kind: 'memory' | 'file' | 'redis' | 'sql';
  writeMinute(instanceId: string, minute: Aggregate): Promise<void>;
  /** For each minute start in [from, to) that has data: every instance's aggregate of that minute. */
  readMinutes(from: number, to: number): Promise<Map<number, Aggregate[]>>;
  publishLive(instanceId: string, window: Aggregate, now: number): Promise<void>;
  /** Every instance's latest published window no older than `maxAgeMs`, keyed by instance. */
  readLive(now: number, maxAgeMs: number): Promise<Map<string, Aggregate>>;
  close(): Promise<void>;
}

export const MINUTE_MS = 60_000;
export const minuteStart = (t: number): number => Math.floor(t / MINUTE_MS) * MINUTE_MS;
