import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { closeRedisConnection, createRedisConnection, type RedisConfig } from '../cache/index.js';
import type { CacheStack } from '../cache/stack.js';
import {
  Observability,
  observabilitySettings,
  sessionStatsFromStore,
  type ObservabilityConfig,
} from '../observability/index.js';
import type { Store } from '../store/types.js';
import type { PoolStats } from '../store/pool-monitor.js';
import type { Metrics } from '../observability/metrics.js';
import { queryMetricsListener } from '../observability/query-listener.js';
import { probeDependencies } from './dependencies.js';
import type { Layer } from './layer.js';

/** Metrics, history, health and alerts, on their own Redis connection (history, live view, alert state). */
export async function buildObservabilityLayer(
  config: ObservabilityConfig & RedisConfig & Pick<Config, 'hasRedis' | 'databaseSlowQuery'>,
  deps: { logger: Logger; store: Store; stack: CacheStack<unknown>; instanceId: string },
): Promise<Layer<Observability>> {
  const { logger, store, stack } = deps;
  const redis = config.hasRedis
    ? createRedisConnection(config, 'command', {
        connectionName: 'tessera:observability',
        onError: (error) => logger.debug({ err: error }, 'redis connection error'),
      })
    : undefined;
  const observability = await Observability.create({
    settings: observabilitySettings(config),
    logger,
    redis,
    locks: store.locks,
    instanceId: deps.instanceId,
    db: store.db,
    dependencies: () => probeDependencies(store, stack.l2, stack.bus),
  });
  const { metrics } = observability;
  metrics.setSessionStatsSource(sessionStatsFromStore(store));
  let stopPoolSampler = (): void => {};
  if (metrics.enabled) {
    store.onQuery(queryMetricsListener(metrics, logger, config.databaseSlowQuery));
    const pool = store.pool;
    if (pool) {
      metrics.setPoolSource(() => pool.stats());
      pool.onAcquire((ms) => metrics.dbPoolAcquire(ms / 1000));
      stopPoolSampler = samplePool(() => pool.stats(), metrics);
    }
  }
  if (stack.breaker) {
    metrics.breakerState('redis', stack.breaker.state);
    stack.breaker.onStateChange((state) => metrics.breakerState('redis', state));
  }
  return {
    service: observability,
    async close() {
      stopPoolSampler();
      await observability.stop().catch(() => {});
      if (redis) await closeRedisConnection(redis).catch(() => {});
    },
  };
}

/** The pool's clients once a second into the history (the worst second of each minute is kept). */
function samplePool(stats: () => PoolStats, metrics: Metrics): () => void {
  const timer = setInterval(() => {
    const s = stats();
    metrics.level('dbPoolTotal', s.total);
    metrics.level('dbPoolIdle', s.idle);
    metrics.level('dbPoolInUse', s.total - s.idle);
    metrics.level('dbPoolWaiting', s.waiting);
    metrics.level('dbPoolMax', s.max);
  }, 1000);
  timer.unref();
  return () => clearInterval(timer);
}
