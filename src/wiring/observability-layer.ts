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
import { probeDependencies } from './dependencies.js';
import type { Layer } from './layer.js';

/** Metrics, history, health and alerts, on their own Redis connection (history, live view, alert state). */
export async function buildObservabilityLayer(
  config: ObservabilityConfig & RedisConfig & Pick<Config, 'hasRedis'>,
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
  if (stack.breaker) {
    metrics.breakerState('redis', stack.breaker.state);
    stack.breaker.onStateChange((state) => metrics.breakerState('redis', state));
  }
  return {
    service: observability,
    async close() {
      await observability.stop().catch(() => {});
      if (redis) await closeRedisConnection(redis).catch(() => {});
    },
  };
}
