import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import { closeRedisConnection, createRedisConnection, type RedisConfig } from '../cache/index.js';
import type { InvalidationBus } from '../cache/types.js';
import { sqlBanStore } from '../security/bans-sql.js';
import { createProtection, type Protection, type ProtectionConfig } from '../security/protection.js';
import type { Metrics } from '../observability/metrics.js';
import { decisionMetricsListener } from '../observability/integration.js';
import type { Store } from '../store/types.js';
import type { Layer } from './layer.js';

/** Rate limits, the login guard, reputation, bans and anomaly rules, on their own fail-fast Redis connection. */
export async function buildProtectionLayer(
  config: ProtectionConfig & RedisConfig & Pick<Config, 'hasRedis' | 'cookieSecure'>,
  deps: {
    store: Store;
    bus: InvalidationBus;
    audit: AuditLog;
    logger: Logger;
    /** Counts every allow/refuse decision (rate limits, the login guard, reputation, bans). */
    metrics?: Metrics;
    /** Times the limiters' Redis commands. */
    onRedisCommand?: (command: string, ms: number) => void;
  },
): Promise<Layer<Protection>> {
  const { logger, audit, metrics } = deps;
  const redis = config.hasRedis
    ? createRedisConnection(config, 'command', {
        connectionName: 'tessera:security',
        onError: (error) => logger.debug({ err: error }, 'redis connection error (security)'),
        onCommand: deps.onRedisCommand,
      })
    : undefined;
  const protection = createProtection({
    config,
    redis,
    bus: deps.bus,
    audit: { insert: (event) => audit.record(event.type, event) },
    durableBans: sqlBanStore(deps.store.db),
    clusterWorker: cluster.isWorker,
    // COOKIE_SECURE=true says the service is reached over HTTPS (TLS ends at a proxy): send HSTS everywhere.
    tls: config.cookieSecure,
    logger,
    onDecision: metrics?.enabled ? decisionMetricsListener(metrics) : undefined,
  });
  await protection.start();
  return {
    service: protection,
    async close() {
      await protection.close().catch(() => {});
      if (redis) await closeRedisConnection(redis).catch(() => {});
    },
  };
}
