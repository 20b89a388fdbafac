import type { PermissionResolver } from '../../auth/permissions.js';
import type { SessionRecord, Store } from '../../store/types.js';

export type WarmTier = 'l1' | 'l2';

/** Why a pass runs: at start, on a strategy's schedule, asked for (admin API, CLI), or Redis came back empty. */
export type WarmReason = 'start' | 'schedule' | 'request' | 'redis-back';

/** What a strategy gets to work with during one pass. */
export interface WarmContext {
  store: Store;
  permissions: PermissionResolver;
  /** Rows per database read and per fill. */
  batchSize: number;
  /**
   * Loads these sessions (read from the database at `readAt`), with their users and permissions, into the pass's
   * tiers through the cache's fill protocol. False once every tier's budget is spent: the strategy should stop.
   */
  fill(sessions: SessionRecord[], readAt: number): Promise<boolean>;
  /** Something other than sessions was warmed (e.g. role permissions): counted in the report. */
  noteWarmed(count: number): void;
  /** The hottest session token hashes, most read first (from the Redis hot-key tracker). */
  hotTokenHashes(): Promise<string[]>;
  /** Users whose sessions this pass already warmed, most active first. */
  readonly warmedUsers: readonly string[];
}

/** One way of choosing what to warm. Lower priority numbers run first. */
export interface WarmStrategy {
  readonly name: string;
  readonly priority: number;
  run(ctx: WarmContext): Promise<void>;
}

export interface WarmTierReport {
  entries: number;
  bytes: number;
  budgetBytes: number;
  /** True when this pass stopped filling the tier because its budget was spent. */
  full: boolean;
}

export interface WarmReport {
  reason: WarmReason;
  /** Sessions (and other items, e.g. roles) warmed by this pass. */
  warmed: number;
  /** Serialised bytes written, over every tier. */
  bytes: number;
  tiers: Partial<Record<WarmTier, WarmTierReport>>;
  /** Items warmed per strategy, in the order they ran. */
  strategies: Record<string, number>;
  /** Sessions the pass read but did not cache: no longer live, or a newer revision was already known. */
  skipped: number;
  startedAt: number;
  durationMs: number;
}
