import { LRUCache } from 'lru-cache';

/**
 * An LRUCache made at its first write: lru-cache allocates its arrays for `max` entries up front (~2–4 MB for
 * 100 000, more with a TTL), which a server holds idle for every bounded map it keeps (spikes, reputation, penalties…).
 * Reads before the first write answer as an empty cache does, without making it.
 */
export class LazyLru<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  #lru: LRUCache<K, V> | undefined;

  constructor(private readonly options: LRUCache.Options<K, V, unknown>) {}

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  get(key: K): V | undefined {
    return this.#lru?.get(key);
  }

  has(key: K): boolean {
    return this.#lru?.has(key) ?? false;
  }

  set(key: K, value: V, options?: LRUCache.SetOptions<K, V, unknown>): this {
    (this.#lru ??= new LRUCache<K, V>(this.options)).set(key, value, options);
    return this;
  }

  delete(key: K): boolean {
    return this.#lru?.delete(key) ?? false;
  }

  clear(): void {
    this.#lru?.clear();
  }

  *values(): Generator<V, void, void> {
    if (this.#lru) yield* this.#lru.values();
  }
}
