import { LazyLru } from './lazy-lru.js';
import { redisReady, withTimeout, type CounterBackend } from './backend.js';

/**
 * Counts distinct members per key over a sliding span of one to two windows (how many emails one IP failed on; how
 * many IPs failed on one email): the current fixed window plus the previous one, so crossing a window boundary never
 * resets a count. Redis HyperLogLogs (PFADD, and PFCOUNT over both windows = their union; ~0.8 % error, 12 KiB a
 * key at most) when scaled — both keys share a hash tag, so this works on a Cluster; in-process sets when embedded or
 * when Redis does not answer.
 */
export class DistinctCounter {
  private readonly memory = new LazyLru<string, Set<string>>({ max: 50_000 });

  constructor(
    private readonly backend: CounterBackend,
    private readonly name: string,
    private readonly windowMs: number,
  ) {}

  /** Adds `member` to `key`'s current window and returns the distinct count over this window and the previous one. */
  async add(key: string, member: string, now = Date.now()): Promise<number> {
    const [current, previous] = this.windowKeys(key, now);
    const redis = this.backend.redis;
    if (redisReady(redis)) {
      try {
        const results = await withTimeout(
          redis
            .multi()
            .pfadd(current, member)
            .pexpire(current, this.windowMs * 2)
            .pfcount(current, previous)
            .exec(),
          this.backend.timeoutMs,
        );
        const count = results?.[2]?.[1];
        if (typeof count === 'number') return count;
      } catch {
        // fall through to the in-process count
      }
    }
    return this.addInMemory(current, previous, member);
  }

  async reset(key: string, now = Date.now()): Promise<void> {
    const keys = this.windowKeys(key, now);
    for (const k of keys) this.memory.delete(k);
    const redis = this.backend.redis;
    if (redisReady(redis)) await withTimeout(redis.del(...keys), this.backend.timeoutMs).catch(() => {});
  }

  private windowKeys(key: string, now: number): [string, string] {
    const window = Math.floor(now / this.windowMs);
    const base = `${this.backend.keyPrefix}{${this.name}:${key}}:`;
    return [`${base}${window}`, `${base}${window - 1}`];
  }

  private addInMemory(current: string, previous: string, member: string): number {
    let set = this.memory.get(current);
    if (!set) this.memory.set(current, (set = new Set()), { ttl: this.windowMs * 2 });
    if (set.size < 100_000) set.add(member);
    let count = set.size;
    const before = this.memory.get(previous);
    if (before) for (const m of before) if (!set.has(m)) count++;
    return count;
  }
}
