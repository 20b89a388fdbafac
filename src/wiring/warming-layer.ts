import type { Logger } from 'pino';
import type { PermissionResolver } from '../auth/permissions.js';
import type { CacheStack } from '../cache/stack.js';
import type { L1Value, SessionCache } from '../sessions/session-cache.js';
import { WarmingService, type WarmingConfig } from '../sessions/warming/service.js';
import type { Store } from '../store/types.js';
import type { Layer } from './layer.js';

/** After Redis comes back, a short pause before warming it (the pass itself waits for the channels to vouch). */
const REDIS_BACK_DELAY_MS = 100;

/** Cache warming: its strategies and schedules (started with the other jobs), stopped on close. */
export function buildWarmingLayer(
  config: WarmingConfig,
  deps: {
    store: Store;
    cache: SessionCache;
    permissions: PermissionResolver;
    stack: CacheStack<L1Value>;
    logger: Logger;
  },
): Layer<WarmingService> {
  const { stack } = deps;
  const service = new WarmingService(config, {
    store: deps.store,
    permissions: deps.permissions,
    cache: deps.cache,
    hasRedis: stack.l2 !== undefined,
    l1Room: () => {
      const stats = stack.l1.stats();
      return stats.max - stats.size;
    },
    hotKeys: async () => (stack.l2 ? (await stack.l2.stats()).hotKeys.map((h) => h.key) : []),
    logger: deps.logger,
    sessionKeyPrefix: 'sess:',
  });
  if (stack.l2) {
    let seenDown = false;
    stack.bus.onStateChange((connected) => {
      if (!connected) seenDown = true;
      else if (seenDown) service.redisBack(REDIS_BACK_DELAY_MS);
    });
  }
  return { service, close: async () => service.stop() };
}
