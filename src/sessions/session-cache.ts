import type { Logger } from 'pino';
import type { BusMessage, InvalidationBus, L1Cache, L2Cache, Revision } from '../cache/types.js';
import type { SessionChanges } from '../store/types.js';
import type { AdaptiveTtl } from './adaptive-ttl.js';
import { RevisionFences } from './revision-fences.js';
import type { SessionEntry } from './types.js';

/** Marks a token known to be unknown (negative caching). */
export const UNKNOWN = Symbol('unknown-token');
export type L1Value = SessionEntry | typeof UNKNOWN;

/**
 * The caches are used only while some channel vouches for every change committed more than this long ago: a change
 * acknowledged 1 s ago is then known here (its fence raised, its L1 entries dropped). The rest of the second is
 * the margin for applying it.
 */
const TRUST_WINDOW_MS = 800;
/** A database read older than this is not written to Redis: its fence may have outlived its retention. */
const MAX_FILL_AGE_MS = 10_000;

/** What tells the cache whether it hears of every change: the bus, and (when running) the database change log. */
export interface ChangeWatch {
  /** Epoch ms up to which every committed change is known here (from the bus or the change log). */
  vouchedAt(now: number): number;
  /** False until the change log's lookback window has been read once (no shared entry can be judged before). */
  readonly logReady: boolean;
}

export interface SessionCacheOptions {
  l2TtlMs: number;
  negativeTtlMs: number;
  keyPrefix: string;
  /** How long a fence is kept: as long as any tier can hold a copy it fences. */
  fenceRetentionMs: number;
  /** Lifetimes by use (SESSION_TTL_ADAPTIVE); the fence retention above covers its longest. */
  adaptiveTtl?: AdaptiveTtl;
}

/**
 * Session entries in L1 (in-process) and L2 (Redis). Coherence does not depend on any cache write arriving:
 * every entry carries its session's revision, and a copy older than the newest revision this instance has heard
 * of (its fences, raised by its own writes, the bus and the database change log) is never stored nor served.
 * Deletes in Redis and bus messages only make that happen sooner and free memory.
 */
export class SessionCache {
  readonly #l1: L1Cache<L1Value>;
  readonly #l2: L2Cache | undefined;
  readonly #bus: InvalidationBus;
  readonly #fences: RevisionFences;
  readonly #watch: ChangeWatch;
  readonly #options: SessionCacheOptions;
  readonly #logger: Logger;

  constructor(
    tiers: { l1: L1Cache<L1Value>; l2: L2Cache | undefined; bus: InvalidationBus },
    watch: ChangeWatch,
    options: SessionCacheOptions,
    logger: Logger,
  ) {
    this.#l1 = tiers.l1;
    this.#l2 = tiers.l2;
    this.#bus = tiers.bus;
    this.#fences = new RevisionFences(options.fenceRetentionMs, (sessionId) => this.#l1.deleteTag(`s:${sessionId}`));
    this.#watch = watch;
    this.#options = options;
    this.#logger = logger;
    this.#bus.subscribe((message) => this.#apply(message));
    // Entries cached while the bus was down may have missed revocations the log has not shown yet: start clean.
    this.#bus.onStateChange((connected) => connected && this.#l1.clear());
  }

  /** True while a change acknowledged a second ago is surely known here; otherwise every lookup reads the database. */
  trusted(now: number): boolean {
    return this.#watch.vouchedAt(now) >= now - TRUST_WINDOW_MS;
  }

  hasL2(now: number): boolean {
    return this.#l2 !== undefined && this.#l2.available && this.#watch.logReady && this.trusted(now);
  }

  /** L1 lookup, while this instance can vouch for what it holds: the one synchronous step of the hot path. */
  peek(tokenHash: string, now: number): L1Value | undefined {
    return this.trusted(now) ? this.#l1.get(tokenHash) : undefined;
  }

  /** An entry from Redis, unless a newer revision of its session is known here (then it is deleted there too). */
  async fromL2(tokenHash: string): Promise<SessionEntry | undefined> {
    if (!this.#l2) return undefined;
    let raw: string | undefined;
    try {
      raw = await this.#l2.get(this.#key(tokenHash));
    } catch {
      return undefined; // L2 trouble is a miss: the database is the source of truth
    }
    if (raw === undefined) return undefined;
    const entry = JSON.parse(raw) as SessionEntry;
    if (this.admits(entry)) return entry;
    this.#l2.del([this.#key(tokenHash)]).catch(() => {});
    return undefined;
  }

  /** False when this entry's session has a newer revision than the entry. */
  admits(entry: SessionEntry): boolean {
    return this.#fences.admits(entry.session.id, entry.session.revision);
  }

  /**
   * Caches an entry in L1 and (write-through, in the background) L2, unless it is already stale. An entry just
   * read from L2 goes to L1 only (`toL2: false`): writing it back would cost a Redis SET per L2 hit. `readAt` is
   * when the database was read for it, when it was.
   */
  store(
    entry: SessionEntry,
    now: number,
    { toL2 = true, readAt, warming = false }: { toL2?: boolean; readAt?: number; warming?: boolean } = {},
  ): void {
    const { session } = entry;
    const lifetime = Math.min(session.expiresAt, entry.graceUntil ?? Infinity) - now;
    if (lifetime <= 0 || !this.admits(entry)) return;
    // A warming fill is not a use: it does not make the entry hotter.
    const adaptive = this.#options.adaptiveTtl?.fill(entry.tokenHash, !warming);
    this.#l1.set(
      entry.tokenHash,
      entry,
      [`s:${session.id}`, `u:${session.userId}`],
      entry.graceUntil ? lifetime : adaptive && Math.min(adaptive.l1Ms, lifetime),
    );
    if (this.#l2 && toL2 && (readAt === undefined || now - readAt < MAX_FILL_AGE_MS)) {
      const { body: _body, ...persisted } = entry;
      const ttl = Math.min(adaptive?.l2Ms ?? this.#options.l2TtlMs, lifetime);
      this.#l2.set(this.#key(entry.tokenHash), JSON.stringify(persisted), ttl).catch(() => {});
    }
  }

  /** What the adaptive lifetimes track (undefined when SESSION_TTL_ADAPTIVE is off). */
  adaptiveStats() {
    return this.#options.adaptiveTtl?.stats();
  }

  /**
   * Warming: fills Redis in one pipeline without touching this instance's L1; returns how many entries were sent.
   * Like `store`, a read older than the fill age limit (`readAt`) is not written.
   */
  async storeManyL2(entries: SessionEntry[], now: number, readAt?: number): Promise<number> {
    if (!this.#l2 || (readAt !== undefined && now - readAt >= MAX_FILL_AGE_MS)) return 0;
    const rows = entries
      .filter((e) => e.session.expiresAt > now && this.admits(e))
      .map(({ body: _body, ...persisted }) => ({
        key: this.#key(persisted.tokenHash),
        value: JSON.stringify(persisted),
        ttlMs: Math.min(
          this.#options.adaptiveTtl?.fill(persisted.tokenHash, false).l2Ms ?? this.#options.l2TtlMs,
          persisted.session.expiresAt - now,
        ),
      }));
    if (rows.length > 0) await this.#l2.setMany(rows);
    return rows.length;
  }

  rememberUnknown(tokenHash: string): void {
    this.#l1.set(tokenHash, UNKNOWN, undefined, this.#options.negativeTtlMs);
  }

  /**
   * A change the database has committed: fenced here at once, then (best effort) deleted from Redis and told to
   * every other instance. Those may fail; the other instances still learn of it from the change log.
   */
  async changed({ tokenHashes, changes }: Pick<SessionChanges, 'tokenHashes' | 'changes'>): Promise<void> {
    const now = Date.now();
    const revisions = changes.map((c) => ({ id: c.sessionId, revision: c.revision }));
    this.applyRevisions(revisions, now);
    for (const hash of tokenHashes) this.#l1.delete(hash);
    const work: Promise<unknown>[] = [];
    if (this.#l2 && tokenHashes.length > 0) work.push(this.#l2.del(tokenHashes.map((h) => this.#key(h))));
    if (revisions.length > 0) work.push(this.#bus.publish({ kind: 'revisions', revisions }));
    for (const result of await Promise.allSettled(work)) {
      if (result.status === 'rejected')
        this.#logger.warn(
          { err: result.reason },
          'cache invalidation could not reach Redis; the change log carries it',
        );
    }
  }

  /** New revisions heard of (own writes, bus, change log): older copies are dropped from L1 and fenced out. */
  applyRevisions(revisions: readonly Revision[], now: number): void {
    for (const revision of revisions) this.#fences.raise(revision, now);
    this.#fences.prune(now);
  }

  async flushAll(): Promise<number> {
    this.#l1.clear();
    await this.#bus.publish({ kind: 'flush' }).catch(() => {});
    return this.#l2 ? this.#l2.flush() : 0;
  }

  #apply(message: BusMessage): void {
    if (message.kind === 'revisions') this.applyRevisions(message.revisions, Date.now());
    else if (message.kind === 'flush') this.#l1.clear();
  }

  #key(tokenHash: string): string {
    return `${this.#options.keyPrefix}${tokenHash}`;
  }
}
