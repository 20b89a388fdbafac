/**
 * The cache contract: an in-process L1, a Redis L2 guarded by a circuit breaker, and an invalidation bus.
 * Nothing here knows about sessions or HTTP; values are opaque strings (L2) or objects (L1).
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface Breaker {
  readonly name: string;
  readonly state: BreakerState;
  /** Runs `fn` under the breaker and timeout; rejects fast with DependencyError while open. */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  onStateChange(listener: (state: BreakerState) => void): void;
}

export interface L1Stats {
  size: number;
  max: number;
  hits: number;
  misses: number;
  /** Entries pushed out by the count bound. */
  evictions: number;
  /** Entries dropped because their TTL passed (counted when lru-cache notices). */
  expirations?: number;
  /** Distinct tags currently indexed. */
  tags?: number;
}

/** Bounded in-process LRU with a TTL; entries carry tags (e.g. `user:ID`, `session:ID`) so a group can be dropped at once. */
export interface L1Cache<V> {
  /** The value if present, younger than the TTL, and (when given) stored at or after `notBefore` (epoch ms). */
  get(key: string, notBefore?: number): V | undefined;
  set(key: string, value: V, tags?: readonly string[], ttlMs?: number): void;
  delete(key: string): void;
  /** Drops every entry stored with this tag; returns how many. */
  deleteTag(tag: string): number;
  clear(): void;
  stats(): L1Stats;
}

export interface L2Stats {
  hits: number;
  misses: number;
  errors: number;
  breaker: BreakerState;
  hotKeys: Array<{ key: string; count: number }>;
  memory?: { usedBytes: number; maxBytes: number; policy: string };
}

/** Redis-backed second tier. Every call goes through the breaker; callers treat a rejection as a miss. */
export interface L2Cache {
  readonly available: boolean;
  get(key: string): Promise<string | undefined>;
  mget(keys: string[]): Promise<Array<string | undefined>>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  setMany(entries: Array<{ key: string; value: string; ttlMs: number }>): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Deletes every key under Tessera's prefix (every node of a Cluster). */
  flush(): Promise<number>;
  stats(): Promise<L2Stats>;
  close(): Promise<void>;
}

/** An entity (a session) reached a revision: cached copies of older revisions are stale. */
export interface Revision {
  id: string;
  revision: number;
}

export type BusMessage =
  | { kind: 'revisions'; revisions: Revision[] }
  | { kind: 'flush' }
  | { kind: 'custom'; topic: string; payload: unknown };

/** Cross-instance invalidation: Redis pub/sub when scaled, node:cluster IPC for `serve --workers` in embedded mode. */
export interface InvalidationBus {
  /** True while messages published elsewhere are guaranteed to reach this instance. */
  readonly connected: boolean;
  /** Epoch ms when the bus was lost; undefined while connected. */
  readonly lostAt: number | undefined;
  /** False for the single-process bus: other instances (if any) cannot reach this one through it. */
  readonly spansInstances: boolean;
  /**
   * Epoch ms up to which every message other instances published through the bus has reached this one (for Redis:
   * the send time of the newest heartbeat that came back, since a channel delivers in order).
   */
  readonly vouchedAt: number;
  /**
   * Epoch ms from which that delivery is unbroken: the last (re)subscription. What was published while the bus was
   * lost never arrives, so before this moment the bus vouches for nothing.
   */
  readonly vouchedSince: number;
  publish(message: BusMessage): Promise<void>;
  subscribe(handler: (message: BusMessage) => void): void;
  onStateChange(listener: (connected: boolean) => void): void;
  close(): Promise<void>;
}
