import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { PermissionResolver } from '../auth/permissions.js';
import { type JobScheduler } from '../jobs/scheduler.js';
import type { Metrics } from '../observability/metrics.js';
import { cleanupSessions } from '../sessions/cleanup.js';
import { changeLogRetentionMs } from '../sessions/core.js';
import type { SessionCache } from '../sessions/session-cache.js';
import type { Store } from '../store/types.js';

export type JobsConfig = Pick<
  Config,
  | 'cleanupInterval'
  | 'cleanupBatchSize'
  | 'cleanupRevokedRetention'
  | 'sessionL1Ttl'
  | 'sessionL2Ttl'
  | 'sessionNegativeTtl'
  | 'sessionTtlAdaptive'
  | 'sessionL1TtlMax'
  | 'sessionL2TtlMax'
>;

export interface JobDeps {
  store: Store;
  cache: SessionCache;
  permissions: PermissionResolver;
  metrics: Metrics;
  logger: Logger;
  instanceId: string;
}

/** Cleanup, one instance at a time (by lock), on its schedule. Warming has its own schedules (sessions/warming). */
export function startSessionJobs(jobs: JobScheduler, config: JobsConfig, deps: JobDeps): void {
  const { store, logger, metrics } = deps;
  jobs.start({
    name: 'sessions-cleanup',
    intervalMs: config.cleanupInterval,
    runAtStart: false,
    run: async () => {
      const result = await cleanupSessions(store, {
        batchSize: config.cleanupBatchSize,
        revokedRetentionMs: config.cleanupRevokedRetention,
        changeLogRetentionMs: changeLogRetentionMs(config),
        dryRun: false,
        lockTtlMs: config.cleanupInterval,
        owner: deps.instanceId,
      });
      if (!result.skipped) {
        logger.info(result, 'expired sessions cleaned up');
        metrics.cleanupSucceeded(Date.now(), result.deleted);
      }
      return result;
    },
  });
}
