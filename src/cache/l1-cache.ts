import { LRUCache } from 'lru-cache';
import type { L1Cache, L1Stats } from './types.js';

export interface L1Options {
  /** Entry count bound; 0 disables the cache (every get misses). */
  max: number;
  /** Default entry lifetime in ms. */
  ttlMs: number;
}

/**
 * Passed to lru.get so a hit allocates nothing (its default parameter is a fresh object per call).
 * Not frozen: lru-cache writes `status` onto it on every get.
 */
const GET_OPTIONS = {};

interface Entry<V> {
  value: V;
  /** Epoch ms of the set() that stored this entry, compared with `notBefore`. */
  storedAt: number;
  tags: readonly string[] | undefined;
}

/**
 * In-process LRU bounded by count and TTL (lru-cache), plus a tag index kept consistent through
 * lru-cache's dispose hook, which fires for every way an entry leaves: eviction, expiry, delete, overwrite.
 */
export function createL1Cache<V>({ max, ttlMs }: L1Options): L1Cache<V> {
  if (max <= 0) return createDisabledL1<V>();

  // Most tags name one key (a session's token; a user with one session): a lone key is kept as the string
  // itself, a Set only once a second key joins. A Set per tag was about a fifth of a cached session's memory.
  const byTag = new Map<string, string | Set<string>>();
  let hits = 0;
  let misses = 0;
  let evictions = 0;
  let expirations = 0;

  const unindex = (key: string, tags: readonly string[] | undefined): void => {
    if (!tags) return;
    for (const tag of tags) {
      const keys = byTag.get(tag);
      if (keys === undefined) continue;
      if (typeof keys === 'string') {
        if (keys === key) byTag.delete(tag);
        continue;
      }
      keys.delete(key);
      if (keys.size === 1) byTag.set(tag, keys.values().next().value!);
      else if (keys.size === 0) byTag.delete(tag);
    }
  };

  const index = (key: string, tags: readonly string[]): void => {
    for (const tag of tags) {
      const keys = byTag.get(tag);
      if (keys === undefined) byTag.set(tag, key);
      else if (typeof keys === 'string') {
        if (keys !== key) byTag.set(tag, new Set([keys, key]));
      } else keys.add(key);
    }
  };

  // Made at the first write: lru-cache allocates its arrays for `max` entries up front (~3 MB for 100 000).
  let lru: LRUCache<string, Entry<V>> | undefined;
  const options: LRUCache.Options<string, Entry<V>, unknown> = {
    max,
    ttl: ttlMs > 0 ? ttlMs : undefined,
    updateAgeOnGet: false,
    allowStale: false,
    dispose: (entry, key, reason) => {
      if (reason === 'evict') evictions++;
      else if (reason === 'expire') expirations++;
      unindex(key, entry.tags);
    },
  };

  return {
    get(key, notBefore) {
      const entry = lru?.get(key, GET_OPTIONS);
      if (entry === undefined || (notBefore !== undefined && entry.storedAt < notBefore)) {
        misses++;
        return undefined;
      }
      hits++;
      return entry.value;
    },

    set(key, value, tags, entryTtlMs) {
      // lru-cache reads ttl 0 as "never expires"; for a caller, a lifetime of 0 means "do not keep".
      if (entryTtlMs !== undefined && entryTtlMs <= 0) {
        lru?.delete(key);
        return;
      }
      const storedTags = tags && tags.length > 0 ? tags.slice() : undefined;
      lru ??= new LRUCache<string, Entry<V>>(options);
      // dispose of a replaced entry runs inside lru.set, so index the new tags only afterwards.
      if (entryTtlMs === undefined) lru.set(key, { value, storedAt: Date.now(), tags: storedTags });
      else lru.set(key, { value, storedAt: Date.now(), tags: storedTags }, { ttl: entryTtlMs });
      if (storedTags && lru.has(key)) index(key, storedTags);
    },

    delete(key) {
      lru?.delete(key);
    },

    deleteTag(tag) {
      const keys = byTag.get(tag);
      if (keys === undefined) return 0;
      let dropped = 0;
      for (const key of typeof keys === 'string' ? [keys] : [...keys]) if (lru?.delete(key)) dropped++;
      byTag.delete(tag);
      return dropped;
    },

    clear() {
      lru?.clear();
      byTag.clear();
    },

    stats(): L1Stats {
      return { size: lru?.size ?? 0, max, hits, misses, evictions, expirations, tags: byTag.size };
    },
  };
}

function createDisabledL1<V>(): L1Cache<V> {
  let misses = 0;
  return {
    get: () => {
      misses++;
      return undefined;
    },
    set: () => {},
    delete: () => {},
    deleteTag: () => 0,
    clear: () => {},
    stats: () => ({ size: 0, max: 0, hits: 0, misses, evictions: 0 }),
  };
}
