import { LRUCache } from 'lru-cache';
import { TesseraUnavailableError } from './errors.js';
import { RevocationStream, type RevokedSession } from './revocation-stream.js';
import { tokenHash } from './token.js';
import type { ClientOptions, ClientStats, Validated } from './types.js';

interface Entry {
  value: Validated;
  token: string;
  /** Epoch ms: the server's idle expiry, and when half the idle window is gone (then its use is reported). */
  idleExpiresAt: number;
  touchDueAt: number;
}

/** A token Tessera did not know, remembered briefly (`value` null). */
interface Unknown {
  value: null;
  token: string;
}

type Cached = Entry | Unknown;

const TOUCH_CONCURRENCY = 8;

/**
 * Sessions validated inside the application. A hit is answered from memory (no promise); a miss asks
 * GET /v1/auth/session. The memory is trusted only while the revocation stream is connected, caught up and
 * heartbeating; revocations drop entries the moment they arrive.
 */
export class TesseraClient {
  readonly #base: string;
  readonly #timeout: number;
  readonly #trustWindow: number;
  readonly #ttl: number;
  readonly #negativeTtl: number;
  readonly #cache: LRUCache<string, Cached>;
  /**
   * Raw token → its cache key (SHA-256), so a hit does not hash the token. Only tokens that have an entry in
   * #cache are here: an entry's removal (revocation, flush, eviction, expiry, replacement) removes its token, so
   * this map is bounded by `maxEntries` and never answers anything itself — the hit still reads #cache.
   */
  readonly #keyOf = new Map<string, string>();
  /** Session id → cache keys of its tokens (a rotated session may have two). */
  readonly #bySession = new Map<string, Set<string>>();
  readonly #inflight = new Map<string, Promise<Validated | null>>();
  readonly #stream: RevocationStream;
  /** Bumped by every revoke or flush: a miss answered across one is returned but not cached. */
  #epoch = 0;
  #streamConnected = false;
  #lastHeartbeatAt = -Infinity;
  /** The stream has no id to resume from: on its first event, whatever was cached before is dropped. */
  #needsFreshStart = true;
  readonly #touchQueue = new Map<string, string>();
  readonly #touchTimer: NodeJS.Timeout;
  #touchRunning = false;
  readonly #stats = { hits: 0, misses: 0, revocations: 0, flushes: 0, touches: 0, unavailable: 0 };
  #closed = false;

  constructor(options: ClientOptions) {
    if (!options.url) throw new TypeError('createClient: `url` is required');
    if (!options.serviceKey?.startsWith('tsk_')) throw new TypeError('createClient: `serviceKey` (tsk_…) is required');
    this.#base = options.url.replace(/\/+$/, '');
    this.#timeout = options.timeout ?? 2_000;
    this.#trustWindow = options.trustWindow ?? 1_000;
    this.#ttl = options.cache?.ttl ?? 60_000;
    this.#negativeTtl = options.cache?.negativeTtl ?? 2_000;
    this.#cache = new LRUCache<string, Cached>({
      max: options.cache?.maxEntries ?? 10_000,
      ttl: this.#ttl,
      ttlAutopurge: false,
      dispose: (cached, key) => {
        this.#keyOf.delete(cached.token);
        if (cached.value !== null) this.#unindex(cached.value.session.id, key);
      },
    });
    this.#stream = new RevocationStream(
      {
        url: `${this.#base}/v1/sessions/revocations`,
        serviceKey: options.serviceKey,
        idleReconnectMs: Math.max(2 * this.#trustWindow, 2_000),
        connectTimeoutMs: this.#timeout,
      },
      {
        revoke: (sessions) => this.#revoke(sessions),
        flush: () => this.#flush(),
        heartbeat: () => {
          this.#freshStart();
          this.#lastHeartbeatAt = Date.now();
        },
        connected: (value) => {
          this.#streamConnected = value;
          if (!value) this.#lastHeartbeatAt = -Infinity;
          else if (this.#stream.lastEventId === undefined) this.#needsFreshStart = true;
        },
      },
    );
    this.#stream.start();
    this.#touchTimer = setInterval(() => void this.#reportUse(), options.touchInterval ?? 1_000);
    this.#touchTimer.unref();
  }

  /** True while hits may be answered from memory. */
  get trusted(): boolean {
    return this.#streamConnected && Date.now() - this.#lastHeartbeatAt <= this.#trustWindow;
  }

  /**
   * `{ session, user }`, or null for an unknown, expired or revoked token. A hit is a plain value (no I/O, no
   * promise); `await` it either way. Rejects with TesseraUnavailableError when Tessera cannot be asked.
   */
  validate(token: string | null | undefined): Validated | null | Promise<Validated | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
    // A token with no key here has no cache entry either: it is hashed only on its way to Tessera.
    const known = this.#keyOf.get(token);
    if (known !== undefined && this.#streamConnected) {
      const now = Date.now();
      if (now - this.#lastHeartbeatAt <= this.#trustWindow) {
        const cached = this.#cache.get(known);
        if (cached !== undefined) {
          if (cached.value === null) {
            this.#stats.hits += 1;
            return null;
          }
          if (now < cached.idleExpiresAt) {
            this.#stats.hits += 1;
            if (now >= cached.touchDueAt) this.#touchQueue.set(known, token);
            return cached.value;
          }
          this.#cache.delete(known);
        }
      }
    }
    const key = known ?? tokenHash(token);
    this.#stats.misses += 1;
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#ask(token, key).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  stats(): ClientStats {
    return {
      ...this.#stats,
      streamConnected: this.#streamConnected,
      trusted: this.trusted,
      size: this.#cache.size,
      tokenKeys: this.#keyOf.size,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#touchTimer);
    await this.#stream.close();
    this.#cache.clear();
  }

  /** Asks Tessera; caches the answer unless a revocation or flush arrived meanwhile. */
  async #ask(token: string, key: string): Promise<Validated | null> {
    const epoch = this.#epoch;
    const result = await this.#fetchSession(token);
    if (this.#epoch !== epoch || this.#closed) return result;
    if (result === null) {
      this.#cache.set(key, { value: null, token }, { ttl: this.#negativeTtl });
      this.#keyOf.set(token, key);
    } else this.#store(key, token, result);
    return result;
  }

  async #fetchSession(token: string): Promise<Validated | null> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}/v1/auth/session`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(this.#timeout),
      });
    } catch (error) {
      this.#stats.unavailable += 1;
      throw new TesseraUnavailableError(`Tessera did not answer within ${this.#timeout} ms`, { cause: error });
    }
    if (response.status === 200) {
      try {
        return (await response.json()) as Validated;
      } catch (error) {
        this.#stats.unavailable += 1;
        throw new TesseraUnavailableError('Tessera answered with an unreadable body', { cause: error });
      }
    }
    await response.body?.cancel().catch(() => {});
    if (response.status === 401 || response.status === 403) return null;
    this.#stats.unavailable += 1;
    throw new TesseraUnavailableError(`Tessera answered ${response.status}`);
  }

  #store(key: string, token: string, value: Validated): void {
    const now = Date.now();
    const idleExpiresAt = Math.min(Date.parse(value.session.idleExpiresAt), Date.parse(value.session.expiresAt));
    const lastSeenAt = Date.parse(value.session.lastSeenAt);
    const lifetime = Math.min(this.#ttl, idleExpiresAt - now);
    if (!(lifetime > 0)) return;
    // Tessera writes a session's use once less than half its idle window remains: the same moment is reported here.
    const touchDueAt = lastSeenAt + (idleExpiresAt - lastSeenAt) / 2;
    this.#cache.set(key, { value, token, idleExpiresAt, touchDueAt }, { ttl: lifetime });
    // After the set: replacing an entry disposes the old one, which removes its token.
    this.#keyOf.set(token, key);
    let keys = this.#bySession.get(value.session.id);
    if (!keys) this.#bySession.set(value.session.id, (keys = new Set()));
    keys.add(key);
  }

  #unindex(sessionId: string, key: string): void {
    const keys = this.#bySession.get(sessionId);
    if (!keys) return;
    keys.delete(key);
    if (keys.size === 0) this.#bySession.delete(sessionId);
  }

  #revoke(sessions: RevokedSession[]): void {
    this.#freshStart();
    this.#epoch += 1;
    for (const { id } of sessions) {
      const keys = this.#bySession.get(id);
      if (!keys) continue;
      for (const key of [...keys]) if (this.#cache.delete(key)) this.#stats.revocations += 1;
    }
  }

  #flush(): void {
    this.#needsFreshStart = false;
    this.#epoch += 1;
    this.#stats.flushes += 1;
    this.#stats.revocations += this.#cache.size;
    this.#cache.clear();
  }

  /** A stream that started without an id cannot vouch for what was cached before it: drop it once. */
  #freshStart(): void {
    if (!this.#needsFreshStart) return;
    this.#needsFreshStart = false;
    this.#epoch += 1;
    this.#cache.clear();
  }

  /**
   * Sessions used from memory are validated again once half their idle window is gone: Tessera then slides
   * their idle expiry exactly as for its own requests, and the fresh answer replaces the cached one.
   */
  async #reportUse(): Promise<void> {
    if (this.#touchRunning || this.#touchQueue.size === 0) return;
    this.#touchRunning = true;
    try {
      const batch = [...this.#touchQueue];
      this.#touchQueue.clear();
      for (let i = 0; i < batch.length; i += TOUCH_CONCURRENCY) {
        await Promise.all(
          batch.slice(i, i + TOUCH_CONCURRENCY).map(async ([key, token]) => {
            this.#stats.touches += 1;
            await this.#ask(token, key).catch(() => {});
          }),
        );
      }
    } finally {
      this.#touchRunning = false;
    }
  }
}
