import type { L2Cache, L2Stats } from '../../../src/cache/types.js';

/**
 * An L2 held in a Map (TTL honoured), shared by every core a test builds, with chaos switches in the manner of
 * bentocache's chaos drivers: `failing` rejects every call (Redis down), `losingDeletes` acknowledges deletes
 * without doing them (a delete lost in a failover).
 */
export class ChaosMemoryL2 implements L2Cache {
  failing = false;
  losingDeletes = false;
  readonly #entries = new Map<string, { value: string; until: number }>();
  readonly ops: string[] = [];

  get available(): boolean {
    return !this.failing;
  }

  raw(key: string): string | undefined {
    const hit = this.#entries.get(key);
    return hit && hit.until > Date.now() ? hit.value : undefined;
  }

  /** Milliseconds left before `key` expires (undefined when absent), as PTTL answers. */
  ttlOf(key: string): number | undefined {
    const hit = this.#entries.get(key);
    return hit && hit.until > Date.now() ? hit.until - Date.now() : undefined;
  }

  async get(key: string): Promise<string | undefined> {
    this.#call('get');
    return this.raw(key);
  }

  async mget(keys: string[]): Promise<Array<string | undefined>> {
    this.#call('mget');
    return keys.map((k) => this.raw(k));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#call('set');
    this.#entries.set(key, { value, until: Date.now() + ttlMs });
  }

  async setMany(entries: Array<{ key: string; value: string; ttlMs: number }>): Promise<void> {
    this.#call('setMany');
    for (const e of entries) this.#entries.set(e.key, { value: e.value, until: Date.now() + e.ttlMs });
  }

  async del(keys: string[]): Promise<void> {
    this.#call('del');
    if (!this.losingDeletes) for (const k of keys) this.#entries.delete(k);
  }

  async flush(): Promise<number> {
    const n = this.#entries.size;
    this.#entries.clear();
    return n;
  }

  async stats(): Promise<L2Stats> {
    return { hits: 0, misses: 0, errors: 0, breaker: this.failing ? 'open' : 'closed', hotKeys: [] };
  }

  async close(): Promise<void> {}

  #call(op: string): void {
    this.ops.push(op);
    if (this.failing) throw new Error(`L2 ${op}: Redis is down (chaos)`);
  }
}
