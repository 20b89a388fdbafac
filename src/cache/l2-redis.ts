import type { Redis } from 'ioredis';
import { ioredis } from './ioredis.js';
import { DependencyError } from '../errors/index.js';
import { decodeValue, encodeValue } from './codec.js';
import type { RedisConnection } from './redis-client.js';
import { TopK } from './top-k.js';
import type { Breaker, L2Cache, L2Stats } from './types.js';

export interface RedisL2Options {
  /** Prepended to every key (e.g. `tss:c:`); flush() deletes exactly the keys under it. */
  prefix: string;
  breaker: Breaker;
  /** Values longer than this many bytes are brotli-compressed (when that makes them smaller). */
  compressThreshold: number;
  /** How many hot keys stats() reports (0: no counting). */
  hotKeys: number;
  /** Keys per SCAN step and per delete batch in flush(). */
  flushBatch?: number;
}

/**
 * Redis as the second cache tier. Every read and write goes through the breaker, so a slow or absent
 * Redis costs at most one timeout before calls are refused fast. The connection belongs to the caller:
 * close() does not quit it. In a Cluster, multi-key calls are sent as single-key commands that the
 * connection's auto-pipelining batches per node (MGET/DEL across slots would be refused with CROSSSLOT).
 */
export function createRedisL2(redis: RedisConnection, options: RedisL2Options): L2Cache {
  const { prefix, breaker, compressThreshold } = options;
  const isCluster = redis instanceof ioredis().Cluster;
  // Space-Saving needs spare slots to keep its top entries accurate.
  const hot = new TopK(options.hotKeys > 0 ? Math.max(options.hotKeys * 4, 32) : 0);
  const flushBatch = options.flushBatch ?? 500;
  let hits = 0;
  let misses = 0;
  let errors = 0;

  const guarded = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.execute(fn);
    } catch (error) {
      errors++;
      throw error;
    }
  };

  const decodeCounted = (stored: Buffer | null | undefined): string | undefined => {
    let value: string | undefined;
    try {
      value = decodeValue(stored);
    } catch {
      errors++; // a value we cannot decode is as good as absent
    }
    if (value === undefined) misses++;
    else hits++;
    return value;
  };

  return {
    get available() {
      return breaker.state !== 'open';
    },

    async get(key) {
      hot.add(key);
      const stored = await guarded(() => redis.getBuffer(prefix + key));
      return decodeCounted(stored);
    },

    async mget(keys) {
      if (keys.length === 0) return [];
      for (const key of keys) hot.add(key);
      const stored = await guarded(() =>
        isCluster
          ? Promise.all(keys.map((key) => redis.getBuffer(prefix + key)))
          : redis.mgetBuffer(keys.map((key) => prefix + key)),
      );
      return stored.map(decodeCounted);
    },

    async set(key, value, ttlMs) {
      await guarded(() => redis.set(prefix + key, encodeValue(value, compressThreshold), 'PX', ttlMs));
    },

    async setMany(entries) {
      if (entries.length === 0) return;
      const encoded = entries.map((e) => [prefix + e.key, encodeValue(e.value, compressThreshold), e.ttlMs] as const);
      await guarded(async () => {
        if (isCluster) {
          await Promise.all(encoded.map(([key, value, ttl]) => redis.set(key, value, 'PX', ttl)));
          return;
        }
        const pipeline = redis.pipeline();
        for (const [key, value, ttl] of encoded) pipeline.set(key, value, 'PX', ttl);
        throwFirstError(await pipeline.exec());
      });
    },

    async del(keys) {
      if (keys.length === 0) return;
      await guarded(async () => {
        if (isCluster) await Promise.all(keys.map((key) => redis.unlink(prefix + key)));
        else await redis.unlink(...keys.map((key) => prefix + key));
      });
    },

    async flush() {
      // Long-running: refused while the breaker is open, but not held to the per-call timeout.
      if (breaker.state === 'open') throw new DependencyError('redis');
      const nodes: Redis[] = isCluster ? redis.nodes('master') : [redis];
      // A cluster that has not discovered its masters yet would "flush" nothing and report success.
      if (nodes.length === 0) throw new DependencyError('redis');
      try {
        const counts = await Promise.all(nodes.map((node) => flushNode(node, `${escapeGlob(prefix)}*`, flushBatch)));
        hot.clear();
        return counts.reduce((a, b) => a + b, 0);
      } catch (error) {
        errors++;
        throw error instanceof DependencyError ? error : new DependencyError('redis', error);
      }
    },

    async stats(): Promise<L2Stats> {
      const stats: L2Stats = { hits, misses, errors, breaker: breaker.state, hotKeys: hot.top(options.hotKeys) };
      try {
        stats.memory = await guarded(() => readMemory(redis));
      } catch {
        // Redis unreachable: report what we know without memory.
      }
      return stats;
    },

    async close() {
      hot.clear();
    },
  };
}

async function flushNode(node: Redis, pattern: string, batch: number): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', batch);
    cursor = next;
    if (keys.length === 0) continue;
    // One UNLINK per key in a pipeline: a Cluster node refuses multi-key commands across slots.
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [error, removed] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      deleted += Number(removed);
    }
  } while (cursor !== '0');
  return deleted;
}

async function readMemory(redis: RedisConnection): Promise<NonNullable<L2Stats['memory']>> {
  const nodes: Array<Redis | RedisConnection> = redis instanceof ioredis().Cluster ? redis.nodes('master') : [redis];
  const infos = await Promise.all(nodes.map((node) => node.info('memory')));
  const memory = { usedBytes: 0, maxBytes: 0, policy: '' };
  let unbounded = false;
  for (const info of infos) {
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
    memory.usedBytes += Number(field('used_memory')) || 0;
    const max = Number(field('maxmemory')) || 0;
    memory.maxBytes += max;
    unbounded ||= max === 0;
    memory.policy ||= field('maxmemory_policy');
  }
  // Summed over a cluster's masters; 0 (no limit) as soon as one master has no maxmemory.
  if (unbounded) memory.maxBytes = 0;
  return memory;
}

function throwFirstError(results: Array<[Error | null, unknown]> | null): void {
  for (const [error] of results ?? []) if (error) throw error;
}

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');
