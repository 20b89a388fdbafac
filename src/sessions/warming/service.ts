import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import {
  activeSessionsStrategy,
  explicitStrategy,
  hotSessionsStrategy,
  rolesStrategy,
  userSessionsStrategy,
} from './strategies.js';
import type { WarmReason, WarmReport, WarmStrategy } from './types.js';
import { Warmer, type WarmerDeps } from './warmer.js';

export type WarmingConfig = Pick<
  Config,
  | 'warmEnabled'
  | 'warmInterval'
  | 'warmWindow'
  | 'warmBudgetBytes'
  | 'warmL1BudgetBytes'
  | 'warmBatchSize'
  | 'warmBatchPause'
  | 'warmActiveCron'
  | 'warmHotCron'
  | 'warmUsersCron'
  | 'warmRolesCron'
  | 'warmUsersMax'
>;

/** Rough serialised size of one session entry, to turn a byte budget into a row limit for the database read. */
const TYPICAL_ENTRY_BYTES = 600;

export interface WarmRequest {
  sessionIds?: string[];
  userIds?: string[];
}

/**
 * The warming strategies with their schedules (croner; a strategy without a cron expression runs every
 * WARM_INTERVAL), a pass over all of them at start, and one more when Redis comes back (it may have restarted empty).
 */
export class WarmingService {
  readonly warmer: Warmer;
  readonly strategies: WarmStrategy[];
  readonly #config: WarmingConfig;
  readonly #logger: Logger;
  readonly #stops: Array<() => void> = [];

  constructor(config: WarmingConfig, deps: WarmerDeps & { sessionKeyPrefix: string }) {
    this.#config = config;
    this.#logger = deps.logger;
    this.warmer = new Warmer(deps, {
      batchSize: config.warmBatchSize,
      pauseMs: config.warmBatchPause,
      l1BudgetBytes: config.warmL1BudgetBytes,
      l2BudgetBytes: config.warmBudgetBytes,
      sessionKeyPrefix: deps.sessionKeyPrefix,
    });
    const limit = () => Math.ceil(Math.max(config.warmBudgetBytes, config.warmL1BudgetBytes) / TYPICAL_ENTRY_BYTES) + 1;
    this.strategies = [
      rolesStrategy(),
      hotSessionsStrategy(),
      activeSessionsStrategy({ windowMs: config.warmWindow, limit }),
      userSessionsStrategy({ maxUsers: config.warmUsersMax }),
    ];
  }

  /** A pass over every strategy, now. */
  warmAll(reason: WarmReason): Promise<WarmReport> {
    return this.warmer.run(this.strategies, reason);
  }

  /** The given sessions and users' live sessions, ahead of any scheduled pass. */
  warmIds(request: WarmRequest): Promise<WarmReport> {
    return this.warmer.run([explicitStrategy(request)], 'request');
  }

  /** A pass at start, then each strategy on its schedule. Nothing when WARM_ENABLED is false. */
  start(): void {
    if (!this.#config.warmEnabled) return;
    this.#background(this.warmAll('start'));
    const crons: Record<string, string | undefined> = {
      roles: this.#config.warmRolesCron,
      hot: this.#config.warmHotCron,
      active: this.#config.warmActiveCron,
      users: this.#config.warmUsersCron,
    };
    for (const strategy of this.strategies) {
      const run = () => this.#background(this.warmer.run([strategy], 'schedule'));
      const cron = crons[strategy.name];
      if (cron) {
        const job = new Cron(cron, { protect: true, unref: true }, run);
        this.#stops.push(() => job.stop());
      } else {
        const timer = setInterval(run, this.#config.warmInterval);
        timer.unref();
        this.#stops.push(() => clearInterval(timer));
      }
    }
  }

  /** Redis is back (it may have restarted empty): warm it again, after the change channel vouches once more. */
  redisBack(delayMs: number): void {
    if (!this.#config.warmEnabled) return;
    const timer = setTimeout(() => this.#background(this.warmAll('redis-back')), delayMs);
    timer.unref();
    this.#stops.push(() => clearTimeout(timer));
  }

  stop(): void {
    for (const stop of this.#stops.splice(0)) stop();
  }

  #background(pass: Promise<WarmReport>): void {
    pass.catch((error: unknown) => this.#logger.warn({ err: error }, 'cache warming failed'));
  }
}
