import { createRequire } from 'node:module';
import type * as IORedisModule from 'ioredis';

type IORedis = typeof IORedisModule;

const require = createRequire(import.meta.url);
let loaded: IORedis | undefined;

/**
 * ioredis, loaded at the first connection made: an embedded server (no Redis configured) never holds it (~5 MB).
 * A synchronous require of the same CommonJS module an `import` gives, so its classes are the same (`instanceof`).
 */
export function ioredis(): IORedis {
  loaded ??= require('ioredis') as IORedis;
  return loaded;
}
