import type { BusMessage, InvalidationBus, L1Cache, L2Cache } from '../cache/types.js';
import type { SessionEntry } from './types.js';
import type { Logger } from 'pino';

/** Marks a token known to be unknown (negative caching). */
export const UNKNOWN = Symbol('unknown-token');
type L1Value = SessionEntry | typeof UNKNOWN;

/** While the bus is down, an L1 entry is trusted only if younger than this (revocations elsewhere can't reach us). */
const BUS_DOWN_MAX_AGE_MS = 1000;

export interface InvalidationTarget {
  tokenHashes?: string[];
  sessionIds?: string[];
  userIds?: string[];
}

/**
 * Session entries in L1 (in-process) and L2 (Redis), kept coherent across instances by the invalidation bus.
 * Keys are token hashes; tags `s:<sessionId>` and `u:<userId>` let a whole session or user be dropped at once.
 */
export class SessionCache {
  constructor(
    private readonly l1: L1Cache<L1Value>,
    private readonly l2: L2Cache | undefined,
    private readonly bus: InvalidationBus,
    private readonly options: { l2TtlMs: number; negativeTtlMs: number; keyPrefix: string },
    private readonly logger: Logger,
  ) {
    bus.subscribe((message) => this.apply(message));
    // Entries cached while the bus was down may have missed revocations: start clean when it is back.
    bus.onStateChange((connected) => connected && l1.clear());
  }

  get hasL2(): boolean {
    return this.l2 !== undefined && this.l2.available;
  }

  /** L1 lookup honouring the bus state: the one synchronous step of the hot path. */
  peek(tokenHash: string): L1Value | undefined {
    const lostAt = this.bus.lostAt;
    if (lostAt === undefined) return this.l1.get(tokenHash);
    return this.l1.get(tokenHash, Math.max(lostAt, Date.now() - BUS_DOWN_MAX_AGE_MS));
  }

  async fromL2(tokenHash: string): Promise<SessionEntry | undefined> {
    if (!this.l2) return undefined;
    try {
      const raw = await this.l2.get(this.key(tokenHash));
      return raw === undefined ? undefined : (JSON.parse(raw) as SessionEntry);
    } catch {
      return undefined; // L2 trouble is a miss: the database is the source of truth
    }
  }

  /**
   * Caches an entry in L1 and (write-through, in the background) L2. An entry just read from L2 goes to L1
   * only (`toL2: false`): writing it back would cost a Redis SET per L2 hit, and could put back an entry a
   * concurrent revocation has just deleted from Redis.
   */
  store(entry: SessionEntry, now: number, { toL2 = true }: { toL2?: boolean } = {}): void {
    const { session } = entry;
    const lifetime = Math.min(session.expiresAt, entry.graceUntil ?? Infinity) - now;
    if (lifetime <= 0) return;
    this.l1.set(entry.tokenHash, entry, [`s:${session.id}`, `u:${session.userId}`], entry.graceUntil ? lifetime : undefined);
    if (this.l2 && toL2) {
      const { body: _body, ...persisted } = entry;
      this.l2.set(this.key(entry.tokenHash), JSON.stringify(persisted), Math.min(this.options.l2TtlMs, lifetime)).catch(() => {});
    }
  }

  /** Warming: fills Redis in one pipeline without touching this instance's L1. */
  async storeManyL2(entries: SessionEntry[], now: number): Promise<void> {
    if (!this.l2) return;
    const rows = entries
      .filter((e) => e.session.expiresAt > now)
      .map(({ body: _body, ...persisted }) => ({
        key: this.key(persisted.tokenHash),
        value: JSON.stringify(persisted),
        ttlMs: Math.min(this.options.l2TtlMs, persisted.session.expiresAt - now),
      }));
    if (rows.length > 0) await this.l2.setMany(rows);
  }

  rememberUnknown(tokenHash: string): void {
    this.l1.set(tokenHash, UNKNOWN, undefined, this.options.negativeTtlMs);
  }

  /** Drops entries here, in Redis, and (through the bus) on every other instance. */
  async invalidate(target: InvalidationTarget): Promise<void> {
    const tokenHashes = target.tokenHashes ?? [];
    const sessionIds = target.sessionIds ?? [];
    const userIds = target.userIds ?? [];
    this.dropLocal(tokenHashes, sessionIds, userIds);
    const work: Promise<unknown>[] = [];
    if (this.l2 && tokenHashes.length > 0) work.push(this.l2.del(tokenHashes.map((h) => this.key(h))));
    if (tokenHashes.length > 0 || sessionIds.length > 0) work.push(this.bus.publish({ kind: 'session', tokenHashes, sessionIds }));
    if (userIds.length > 0) work.push(this.bus.publish({ kind: 'user', userIds }));
    for (const result of await Promise.allSettled(work)) {
      if (result.status === 'rejected') this.logger.warn({ err: result.reason }, 'cache invalidation could not reach Redis');
    }
  }

  async flushAll(): Promise<number> {
    this.l1.clear();
    await this.bus.publish({ kind: 'flush' }).catch(() => {});
    return this.l2 ? this.l2.flush() : 0;
  }

  private apply(message: BusMessage): void {
    if (message.kind === 'session') this.dropLocal(message.tokenHashes, message.sessionIds, []);
    else if (message.kind === 'user') this.dropLocal([], [], message.userIds);
    else if (message.kind === 'flush') this.l1.clear();
  }

  private dropLocal(tokenHashes: string[], sessionIds: string[], userIds: string[]): void {
    for (const hash of tokenHashes) this.l1.delete(hash);
    for (const id of sessionIds) this.l1.deleteTag(`s:${id}`);
    for (const id of userIds) this.l1.deleteTag(`u:${id}`);
  }

  private key(tokenHash: string): string {
    return `${this.options.keyPrefix}${tokenHash}`;
  }
}
