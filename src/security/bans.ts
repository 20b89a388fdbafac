import type { InvalidationBus } from '../cache/types.js';
import { TesseraError } from '../errors/index.js';
import { redisReady, withTimeout, type CounterBackend } from './backend.js';

export interface Ban {
  ip: string;
  reason: string;
  createdAt: number;
  /** Epoch ms; null = until removed. */
  expiresAt: number | null;
  /** Who banned: an admin's user id, or `anomaly:<rule>`. */
  createdBy: string | null;
}

/** Durable storage of bans (the database table security_bans), so losing Redis loses no ban. */
export interface DurableBanStore {
  put(ban: Ban): Promise<void>;
  delete(ip: string): Promise<void>;
  listActive(now: number): Promise<Ban[]>;
}

type BanMessage = { op: 'add'; ban: Ban } | { op: 'remove'; ip: string };

export const BANS_TOPIC = 'bans';

/**
 * IP bans, effective on every instance at once: each instance answers `isBanned` from an in-process map, kept current
 * by the invalidation bus (`{kind:'custom', topic:'bans'}`) and re-read from Redis every `resyncMs` (so a lost message
 * costs at most that long). Stored in a Redis hash (scaled) and in the database (durable) when given.
 */
export class Bans {
  private readonly active = new Map<string, Ban>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly backend: CounterBackend,
    private readonly options: {
      bus?: InvalidationBus;
      durable?: DurableBanStore;
      /** Addresses that must never be banned (IP_ALLOWLIST): add() refuses them, isBanned() never reports them. */
      neverBan?: (ip: string) => boolean;
      resyncMs?: number;
      now?: () => number;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    options.bus?.subscribe((message) => {
      if (message.kind === 'custom' && message.topic === BANS_TOPIC) this.apply(message.payload as BanMessage);
    });
  }

  /** Loads every active ban (database ∪ Redis, re-seeding Redis from the database) and starts the periodic re-read. */
  async start(): Promise<void> {
    await this.resync(true);
    const every = this.options.resyncMs ?? 5000;
    this.timer = setInterval(() => void this.resync(false).catch(() => {}), every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The ban covering `ip`, if any. A map lookup: cheap enough for every request. */
  isBanned(ip: string): Ban | undefined {
    if (this.active.size === 0) return undefined;
    const ban = this.active.get(ip);
    if (!ban) return undefined;
    if (ban.expiresAt !== null && ban.expiresAt <= this.now()) {
      this.active.delete(ip);
      return undefined;
    }
    return ban;
  }

  list(): Ban[] {
    const now = this.now();
    return [...this.active.values()]
      .filter((b) => b.expiresAt === null || b.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  async add(input: { ip: string; ttlMs: number | null; reason: string; createdBy?: string | null }): Promise<Ban> {
    if (this.options.neverBan?.(input.ip))
      throw new TesseraError('invalid_request', 'An allow-listed address cannot be banned.', {
        details: [{ field: 'ip', message: 'is on IP_ALLOWLIST' }],
      });
    const now = this.now();
    const ban: Ban = {
      ip: input.ip,
      reason: input.reason,
      createdAt: now,
      expiresAt: input.ttlMs === null ? null : now + input.ttlMs,
      createdBy: input.createdBy ?? null,
    };
    // The database first: when it refuses (503), nothing changed anywhere.
    await this.options.durable?.put(ban);
    this.active.set(ban.ip, ban);
    const redis = this.backend.redis;
    if (redisReady(redis))
      await withTimeout(redis.hset(this.key(), ban.ip, JSON.stringify(ban)), this.backend.timeoutMs).catch(() => {});
    await this.publish({ op: 'add', ban });
    return ban;
  }

  /** True when there was an active ban. */
  async remove(ip: string): Promise<boolean> {
    const existed = this.isBanned(ip) !== undefined;
    await this.options.durable?.delete(ip);
    this.active.delete(ip);
    const redis = this.backend.redis;
    if (redisReady(redis)) await withTimeout(redis.hdel(this.key(), ip), this.backend.timeoutMs).catch(() => {});
    await this.publish({ op: 'remove', ip });
    return existed;
  }

  private async publish(message: BanMessage): Promise<void> {
    await this.options.bus?.publish({ kind: 'custom', topic: BANS_TOPIC, payload: message }).catch(() => {});
  }

  private apply(message: BanMessage): void {
    if (message.op === 'add') this.active.set(message.ban.ip, message.ban);
    else this.active.delete(message.ip);
  }

  /** Rebuilds the map from Redis (the shared view); on start also from the database, which re-seeds Redis. */
  private async resync(initial: boolean): Promise<void> {
    const now = this.now();
    const redis = this.backend.redis;
    // Without Redis the database is the shared view (embedded `serve --workers`); with it, only at start.
    const fromDurable = initial || !redis;
    const next = new Map<string, Ban>();
    let haveShared = !redis;
    if (redisReady(redis)) {
      try {
        const all = await withTimeout(redis.hgetall(this.key()), this.backend.timeoutMs * 4);
        const expired: string[] = [];
        for (const [ip, json] of Object.entries(all)) {
          const ban = JSON.parse(json) as Ban;
          if (ban.expiresAt !== null && ban.expiresAt <= now) expired.push(ip);
          else next.set(ip, ban);
        }
        if (expired.length > 0) await redis.hdel(this.key(), ...expired);
        haveShared = true;
      } catch {
        haveShared = false;
      }
    }
    if (fromDurable && this.options.durable) {
      // A database that cannot answer (or lacks the table: migration 0100 not applied) must not stop the service.
      const durable = await this.options.durable.listActive(now).catch((): Ban[] => []);
      const missing = durable.filter((b) => !next.has(b.ip));
      for (const ban of durable) next.set(ban.ip, ban);
      if (redisReady(redis) && missing.length > 0) {
        await withTimeout(
          redis.hset(this.key(), Object.fromEntries(missing.map((b) => [b.ip, JSON.stringify(b)]))),
          this.backend.timeoutMs,
        ).catch(() => {});
      }
    }
    if (!haveShared && !fromDurable) return; // Redis unreachable: keep what we know.
    if (!redis && !this.options.durable) return; // No shared store: the map (plus the bus) is the truth.
    this.active.clear();
    for (const [ip, ban] of next) this.active.set(ip, ban);
  }

  private key(): string {
    return `${this.backend.keyPrefix}bans`;
  }
}
