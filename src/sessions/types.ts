import type { SessionRecord } from '../store/types.js';
import type { DependencyTrace } from '../store/trace-context.js';
import type { UserView } from '../auth/user-view.js';

/** What the API shows of a session (no token hash). */
export interface SessionView {
  id: string;
  userId: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  data: Record<string, unknown>;
  version: number;
}

/**
 * A validated session as the caches hold it. `body` memoises the JSON of `GET /v1/auth/session`
 * so a cache hit costs no serialisation; it is dropped whenever the entry changes.
 */
export interface SessionEntry {
  tokenHash: string;
  session: SessionRecord;
  user: UserView;
  /** For rotated-out tokens still inside their grace period: when the grace ends (epoch ms). */
  graceUntil?: number;
  body?: string;
}

/** Where a validation was answered: in-process L1, Redis L2, or the database. Metric labels use these spellings. */
export const CACHE_TIERS = ['l1', 'l2', 'db'] as const;
export type CacheTier = (typeof CACHE_TIERS)[number];
export const CACHE_RESULTS = ['hit', 'miss', 'negative'] as const;
export type CacheResult = (typeof CACHE_RESULTS)[number];

/**
 * Per-request timing the debug headers report; only allocated when debug headers are on. The database and Redis
 * figures are added where the work happens (the store's query hook, the Redis connections' command timer) to the
 * trace entered for the request (store/trace-context.ts); the tier is set by validation.
 */
export interface RequestTrace extends DependencyTrace {
  tier?: CacheTier;
}

export const newTrace = (): RequestTrace => ({ dbMs: 0, dbQueries: 0, redisMs: 0 });

/** Hooks other layers attach to without the session core knowing them (metrics, anomaly rules). */
export interface SessionObserver {
  cacheLookup?(tier: CacheTier, result: CacheResult): void;
  sessionWrite?(outcome: 'done' | 'skipped'): void;
  dbOp?(op: string, seconds: number): void;
  redisOp?(op: string, seconds: number): void;
}
