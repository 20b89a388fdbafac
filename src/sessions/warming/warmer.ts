import type { Logger } from 'pino';
import type { PermissionResolver } from '../../auth/permissions.js';
import type { Store } from '../../store/types.js';
import type { SessionCache } from '../session-cache.js';
import { WarmFill, type FillTargets } from './fill.js';
import type { WarmContext, WarmReason, WarmReport, WarmStrategy } from './types.js';

export interface WarmerDeps {
  store: Store;
  permissions: PermissionResolver;
  cache: SessionCache;
  /** True when a Redis tier is configured (scaled mode). */
  hasRedis: boolean;
  /** Free L1 entry slots (max − size): warming never pushes out what live traffic cached. */
  l1Room(): number;
  /** The hottest Redis keys, most read first. */
  hotKeys(): Promise<string[]>;
  logger: Logger;
}

export interface WarmerOptions {
  batchSize: number;
  /** Pause between two fills, so a pass never monopolises the database or Redis. */
  pauseMs: number;
  l1BudgetBytes: number;
  l2BudgetBytes: number;
  /** Redis key prefix of session entries (hot keys not under it are not sessions). */
  sessionKeyPrefix: string;
}

interface Pending {
  strategies: WarmStrategy[];
  reason: WarmReason;
  priority: number;
  resolve(report: WarmReport): void;
  reject(error: unknown): void;
}

const SETTLE_MAX_MS = 10_000;
const SETTLE_POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs warming passes one at a time: requests wait in a queue, highest priority (lowest number) first, and each
 * pass runs its strategies in priority order, in batches with pauses, until each tier's memory budget is spent.
 * Embedded mode fills L1; scaled mode fills Redis, and L1 too on the pass at start and after Redis came back.
 */
export class Warmer {
  readonly #deps: WarmerDeps;
  readonly #options: WarmerOptions;
  readonly #queue: Pending[] = [];
  #running = false;
  #last: WarmReport | undefined;
  readonly #lastByStrategy = new Map<string, { at: number; warmed: number }>();

  constructor(deps: WarmerDeps, options: WarmerOptions) {
    this.#deps = deps;
    this.#options = options;
  }

  /** Queues a pass over these strategies; resolves with its report once it ran. */
  run(strategies: WarmStrategy[], reason: WarmReason): Promise<WarmReport> {
    return new Promise((resolve, reject) => {
      const priority = Math.min(...strategies.map((s) => s.priority));
      this.#queue.push({ strategies, reason, priority, resolve, reject });
      this.#queue.sort((a, b) => a.priority - b.priority);
      void this.#drain();
    });
  }

  /** The last finished pass, and when each strategy last ran and what it warmed. */
  status(): { last: WarmReport | undefined; strategies: Record<string, { at: number; warmed: number }> } {
    return { last: this.#last, strategies: Object.fromEntries(this.#lastByStrategy) };
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        try {
          next.resolve(await this.#pass(next.strategies, next.reason));
        } catch (error) {
          next.reject(error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  #targets(reason: WarmReason): FillTargets {
    const { l1BudgetBytes, l2BudgetBytes } = this.#options;
    const l1 = { budgetBytes: l1BudgetBytes, room: () => this.#deps.l1Room() };
    const now = Date.now();
    // Without a trusted change channel nothing may be cached (validation reads the database meanwhile).
    if (!this.#deps.cache.trusted(now)) return {};
    if (!this.#deps.hasRedis) return { l1 };
    const l2 = this.#deps.cache.hasL2(now) ? { budgetBytes: l2BudgetBytes } : undefined;
    // At start L1 is empty; after Redis came back the cache has just emptied it (the bus may have missed changes).
    return reason === 'start' || reason === 'redis-back' ? { l1, l2 } : { l2 };
  }

  /** At start and after Redis came back, the change channel may not vouch yet: wait for it (bounded). */
  async #settle(reason: WarmReason): Promise<void> {
    if (reason !== 'start' && reason !== 'redis-back') return;
    const { cache, hasRedis } = this.#deps;
    const ready = () => cache.trusted(Date.now()) && (!hasRedis || cache.hasL2(Date.now()));
    for (const until = Date.now() + SETTLE_MAX_MS; !ready() && Date.now() < until;) await sleep(SETTLE_POLL_MS);
  }

  async #pass(strategies: WarmStrategy[], reason: WarmReason): Promise<WarmReport> {
    await this.#settle(reason);
    const startedAt = Date.now();
    const { store, permissions, cache } = this.#deps;
    const fill = new WarmFill({ store, permissions, cache }, this.#targets(reason));
    const counts: Record<string, number> = {};
    let current = '';
    const ctx: WarmContext = {
      store,
      permissions,
      batchSize: this.#options.batchSize,
      fill: async (sessions, readAt) => {
        const before = fill.warmed;
        const more = await fill.fill(sessions, readAt);
        counts[current] += fill.warmed - before;
        if (more && this.#options.pauseMs > 0) await sleep(this.#options.pauseMs);
        return more;
      },
      noteWarmed: (count) => {
        counts[current] += count;
      },
      hotTokenHashes: async () => {
        const prefix = this.#options.sessionKeyPrefix;
        return (await this.#deps.hotKeys()).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
      },
      get warmedUsers() {
        return fill.warmedUsers;
      },
    };
    const ordered = [...strategies].sort((a, b) => a.priority - b.priority);
    for (const strategy of ordered) {
      current = strategy.name;
      counts[current] = 0;
      // Role tables warm without a cache tier (they fill the permission memo); sessions need a tier with room.
      if (strategy.name !== 'roles' && fill.done) continue;
      try {
        await strategy.run(ctx);
      } catch (error) {
        this.#deps.logger.warn({ err: error, strategy: strategy.name }, 'warming strategy failed');
      }
      this.#lastByStrategy.set(strategy.name, { at: Date.now(), warmed: counts[current] });
    }
    const tiers = fill.tiers;
    const report: WarmReport = {
      reason,
      warmed: Object.values(counts).reduce((a, b) => a + b, 0),
      bytes: Object.values(tiers).reduce((sum, t) => sum + t.bytes, 0),
      tiers,
      strategies: counts,
      skipped: fill.skipped,
      startedAt,
      durationMs: Date.now() - startedAt,
    };
    this.#last = report;
    this.#deps.logger.info(
      { reason, warmed: report.warmed, strategies: counts, durationMs: report.durationMs },
      'cache warmed',
    );
    return report;
  }
}
