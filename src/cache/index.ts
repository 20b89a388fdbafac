export type * from './types.js';
export { createL1Cache, type L1Options } from './l1-cache.js';
export { createBreaker, type BreakerOptions } from './breaker.js';
export {
  createRedisConnection,
  closeRedisConnection,
  waitForRedisReady,
  type RedisConnection,
  type RedisConfig,
  type RedisRole,
  type RedisConnectionOptions,
} from './redis-client.js';
export { createRedisL2, type RedisL2Options } from './l2-redis.js';
export { createRedisBus, type RedisBus, type RedisBusOptions } from './bus-redis.js';
export { createClusterIpcBus, relayBusMessagesInPrimary, type IpcChannel } from './bus-cluster-ipc.js';
export { createLocalBus } from './bus-local.js';
export { TopK } from './top-k.js';
export { createCacheStack, type CacheStack, type CacheStackOptions, type CacheStackConfig } from './stack.js';
