import type { Cluster, Redis } from 'ioredis';
import type { Aggregate } from './aggregate.js';
import { MINUTE_MS, minuteStart, type HistoryStore } from './history-store.js';

/**
 * History in Redis: one hash per minute (field = instance id, value = that instance's aggregate as JSON),
 * expiring after the retention window, and one hash of live windows. Keys share the `{metrics}` hash tag so a
 * Redis Cluster keeps them in one slot and a 24 h read is one pipeline.
 */
export class RedisHistoryStore implements HistoryStore {
  readonly kind = 'redis';
  private readonly base: string;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
    private readonly retentionMs: number,
  ) {
    this.base = `${prefix}{metrics}:`;
  }

  private minuteKey(start: number): string {
    return `${this.base}min:${start}`;
  }

  async writeMinute(instanceId: string, minute: Aggregate): Promise<void> {
    const key = this.minuteKey(minute.start);
    await this.redis
      .multi()
      .hset(key, instanceId, JSON.stringify(minute))
      .pexpire(key, this.retentionMs + MINUTE_MS)
      .exec();
  }

  async readMinutes(from: number, to: number): Promise<Map<number, Aggregate[]>> {
    const starts: number[] = [];
    for (let t = minuteStart(from) < from ? minuteStart(from) + MINUTE_MS : minuteStart(from); t < to; t += MINUTE_MS)
      starts.push(t);
    const out = new Map<number, Aggregate[]>();
    if (starts.length === 0) return out;
    const pipeline = this.redis.pipeline();
    for (const t of starts) pipeline.hvals(this.minuteKey(t));
    const results = (await pipeline.exec()) ?? [];
    results.forEach(([err, values], i) => {
      if (err) throw err;
      const parsed = (values as string[]).map(parse).filter((a): a is Aggregate => a !== undefined);
      if (parsed.length > 0) out.set(starts[i], parsed);
    });
    return out;
  }

  async publishLive(instanceId: string, window: Aggregate, now: number): Promise<void> {
    const key = `${this.base}live`;
    await this.redis
      .multi()
      .hset(key, instanceId, JSON.stringify({ at: now, window }))
      .pexpire(key, 60_000)
      .exec();
  }

  async readLive(now: number, maxAgeMs: number): Promise<Map<string, Aggregate>> {
    const key = `${this.base}live`;
    const all = await this.redis.hgetall(key);
    const out = new Map<string, Aggregate>();
    const stale: string[] = [];
    for (const [id, text] of Object.entries(all)) {
      try {
        const { at, window } = JSON.parse(text) as { at: number; window: Aggregate };
        if (now - at <= maxAgeMs) out.set(id, window);
        else if (now - at > 10 * maxAgeMs) stale.push(id);
      } catch {
        stale.push(id);
      }
    }
    if (stale.length > 0) await this.redis.hdel(key, ...stale);
    return out;
  }

  async close(): Promise<void> {}
}

function parse(text: string): Aggregate | undefined {
  try {
    return JSON.parse(text) as Aggregate;
  } catch {
    return undefined;
  }
}
