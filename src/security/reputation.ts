import { LazyLru } from './lazy-lru.js';
import { redisReady, withTimeout, type CounterBackend } from './backend.js';

/** Points an IP loses per cause; a clean IP is at 100 and regains REPUTATION_RECOVERY_PER_HOUR points an hour. */
export const PENALTY = { loginFailure: 1, rateLimited: 2, lockout: 5, anomaly: 30 } as const;

interface IpRecord {
  /** Score at `at` (0–100). */
  score: number;
  at: number;
  /** Epoch ms until which an anomaly rule throttles this IP (0: not throttled). */
  throttledUntil: number;
}

export interface ReputationVerdict {
  score: number;
  refused: boolean;
  /** Seconds until the score is back at the threshold (when refused). */
  retryAfterSec: number;
  throttled: boolean;
}

const CLEAN: IpRecord = { score: 100, at: 0, throttledUntil: 0 };
const CLEAN_VERDICT: ReputationVerdict = { score: 100, refused: false, retryAfterSec: 0, throttled: false };

// Atomic "recover lazily, then subtract": KEYS[1]=hash, ARGV: penalty, now, ratePerMs.
const PENALISE = `
local v = redis.call('hmget', KEYS[1], 's', 't')
local penalty, now, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local s = 100
if v[1] then s = math.min(100, tonumber(v[1]) + (now - tonumber(v[2])) * rate) end
s = math.max(0, s - penalty)
redis.call('hset', KEYS[1], 's', tostring(s), 't', tostring(now))
local ttl = 2592000000
if rate > 0 then ttl = math.ceil((100 - s) / rate) + 1000 end
if redis.call('pttl', KEYS[1]) < ttl then redis.call('pexpire', KEYS[1], ttl) end
return tostring(s)`;

/**
 * A score per IP (0–100) that falls with failures, rate-limit hits and anomalies and recovers linearly over time.
 * Stored as {score, timestamp} (Redis hash when scaled) and recovered lazily on read; reads are served from an
 * in-process cache for `cacheMs`, so the per-request check costs a map lookup.
 */
export class Reputation {
  private readonly local = new LazyLru<string, IpRecord>({ max: 100_000 });
  private readonly cache: LazyLru<string, IpRecord>;
  private readonly ratePerMs: number;

  constructor(
    private readonly backend: CounterBackend,
    private readonly settings: {
      threshold: number;
      recoveryPerHour: number;
      cacheMs?: number;
      /** Off (PROTECTION_FEATURES without reputation): every IP is clean and nothing lowers a score. */
      enabled?: boolean;
    },
  ) {
    this.ratePerMs = settings.recoveryPerHour / 3_600_000;
    // cacheMs 0: every verdict reads the shared store (tests); lru-cache reads ttl 0 as "forever", hence max 1.
    const cacheMs = settings.cacheMs ?? 2000;
    this.cache = new LazyLru({ max: cacheMs > 0 ? 100_000 : 1, ttl: Math.max(1, cacheMs) });
  }

  /** Current score and whether the IP is refused or throttled. Sync when cached (the common case). */
  verdict(ip: string, now = Date.now()): ReputationVerdict | Promise<ReputationVerdict> {
    if (this.settings.enabled === false) return CLEAN_VERDICT;
    if (!this.backend.redis) {
      // Embedded: this process's records are the truth; no cache to fill, no promise.
      const record = this.local.get(ip);
      return record ? this.judge(record, now) : CLEAN_VERDICT;
    }
    const cached = this.cache.get(ip);
    if (cached) return this.judge(cached, now);
    return this.load(ip).then((record) => this.judge(record, now));
  }

  /** Lowers the IP's score by `points` and returns the new score. */
  async penalise(ip: string, points: number, now = Date.now()): Promise<number> {
    if (this.settings.enabled === false) return 100;
    const redis = this.backend.redis;
    let score: number | undefined;
    if (redisReady(redis)) {
      try {
        const raw = await withTimeout(
          redis.eval(PENALISE, 1, this.key(ip), points, now, this.ratePerMs) as Promise<string>,
          this.backend.timeoutMs,
        );
        score = Number(raw);
      } catch {
        // fall back to this instance's record
      }
    }
    const previous = this.cache.get(ip) ?? this.local.get(ip) ?? CLEAN;
    if (score === undefined) score = Math.max(0, this.recovered(previous, now) - points);
    const record = { score, at: now, throttledUntil: previous.throttledUntil };
    this.local.set(ip, record);
    this.cache.set(ip, record);
    return score;
  }

  /** Marks the IP throttled until now + ttlMs (an anomaly rule's `throttle` action). */
  async throttle(ip: string, ttlMs: number, now = Date.now()): Promise<void> {
    const until = now + ttlMs;
    const previous = this.cache.get(ip) ?? this.local.get(ip) ?? { ...CLEAN, at: now };
    const record = { ...previous, throttledUntil: Math.max(previous.throttledUntil, until) };
    this.local.set(ip, record);
    this.cache.set(ip, record);
    const redis = this.backend.redis;
    if (redisReady(redis)) {
      const key = this.key(ip);
      await withTimeout(
        redis
          .multi()
          .hsetnx(key, 's', '100')
          .hsetnx(key, 't', String(now))
          .hset(key, 'th', String(record.throttledUntil))
          .pexpire(key, Math.max(ttlMs + 60_000, this.fullRecoveryMs()))
          .exec(),
        this.backend.timeoutMs,
      ).catch(() => {});
    }
  }

  /** Forgets everything about an IP (admin unban). */
  async clear(ip: string): Promise<void> {
    this.local.delete(ip);
    this.cache.delete(ip);
    const redis = this.backend.redis;
    if (redisReady(redis)) await withTimeout(redis.del(this.key(ip)), this.backend.timeoutMs).catch(() => {});
  }

  private async load(ip: string): Promise<IpRecord> {
    const redis = this.backend.redis;
    let record = this.local.get(ip) ?? CLEAN;
    if (redisReady(redis)) {
      try {
        const [s, t, th] = await withTimeout(redis.hmget(this.key(ip), 's', 't', 'th'), this.backend.timeoutMs);
        record =
          s === null
            ? { ...CLEAN, throttledUntil: Number(th ?? 0) }
            : { score: Number(s), at: Number(t), throttledUntil: Number(th ?? 0) };
      } catch {
        // keep this instance's view
      }
    }
    this.cache.set(ip, record);
    return record;
  }

  private judge(record: IpRecord, now: number): ReputationVerdict {
    if (record === CLEAN) return CLEAN_VERDICT;
    const score = this.recovered(record, now);
    const refused = score < this.settings.threshold;
    const retryAfterSec = refused
      ? this.ratePerMs > 0
        ? Math.ceil((this.settings.threshold - score) / this.ratePerMs / 1000)
        : 3600
      : 0;
    return {
      score,
      refused,
      retryAfterSec: Math.max(refused ? 1 : 0, retryAfterSec),
      throttled: record.throttledUntil > now,
    };
  }

  private fullRecoveryMs(): number {
    return this.ratePerMs > 0 ? Math.ceil(100 / this.ratePerMs) : 30 * 86_400_000;
  }

  private recovered(record: IpRecord, now: number): number {
    return Math.min(100, record.score + Math.max(0, now - record.at) * this.ratePerMs);
  }

  private key(ip: string): string {
    return `${this.backend.keyPrefix}rep:${ip}`;
  }
}
