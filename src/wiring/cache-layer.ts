import type { Logger } from 'pino';
import { createCacheStack, type CacheStack, type CacheStackConfig } from '../cache/stack.js';
import type { L1Value } from '../sessions/session-cache.js';
import type { Layer } from './layer.js';

/** L1, L2 and the bus, with their state changes logged and their Redis commands timed (`onRedisCommand`). */
export function buildCacheLayer(
  config: CacheStackConfig,
  logger: Logger,
  instanceId: string,
  onRedisCommand?: (command: string, ms: number) => void,
): Layer<CacheStack<L1Value>> {
  const stack = createCacheStack<L1Value>(config, {
    instanceId,
    onRedisError: (error) => logger.debug({ err: error }, 'redis connection error'),
    onRedisCommand,
  });
  stack.breaker?.onStateChange((state) => {
    if (state === 'open') logger.warn('Redis circuit breaker opened: validation falls back to the database');
    else if (state === 'closed') logger.info('Redis circuit breaker closed: Redis is used again');
  });
  if (config.hasRedis) {
    let wasConnected = false;
    stack.bus.onStateChange((connected) => {
      if (connected) logger.info('invalidation bus connected');
      else if (wasConnected)
        logger.warn('invalidation bus lost: revocations now reach this instance through the change log');
      wasConnected = connected;
    });
  }
  return { service: stack, close: () => stack.close() };
}
