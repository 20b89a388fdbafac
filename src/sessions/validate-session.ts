import { runWithTrace } from '../store/trace-context.js';
import { hashToken, isWellFormedToken } from './token.js';
import { UNKNOWN, type SessionCache } from './session-cache.js';
import type { StoreLoader } from './load-from-store.js';
import type { SessionToucher } from './touch-session.js';
import type { RequestTrace, SessionEntry, SessionObserver } from './types.js';

const usable = (e: SessionEntry, now: number): boolean =>
  e.session.revokedAt === null &&
  now < e.session.expiresAt &&
  now < e.session.idleExpiresAt &&
  (e.graceUntil === undefined || now < e.graceUntil);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ValidatorOptions {
  /** Tests only: a pause between the database read and the cache fill, to make fill races deterministic. */
  faultFillDelayMs: number;
  /** Accept tokens in the format issued before the checksum (they cannot be checked, so they are looked up). */
  acceptLegacyTokens?: boolean;
}

/**
 * The hot path: token → hash → L1 → L2 → database. Concurrent validations of one cold token share one
 * L2/database fetch; unknown tokens are remembered briefly so a token spray never reaches the database.
 */
export function createSessionValidator(
  cache: SessionCache,
  loadFromStore: StoreLoader,
  touch: SessionToucher,
  observer: SessionObserver,
  options: ValidatorOptions,
) {
  const inFlight = new Map<string, Promise<SessionEntry | undefined>>();
  const acceptLegacy = options.acceptLegacyTokens ?? true;

  async function loadCold(tokenHash: string, now: number, trace?: RequestTrace): Promise<SessionEntry | undefined> {
    const withL2 = cache.hasL2(now);
    const fromL2 = withL2 ? await cache.fromL2(tokenHash) : undefined;
    if (fromL2 && usable(fromL2, now)) {
      observer.cacheLookup?.('l2', 'hit');
      if (trace) trace.tier = 'l2';
      cache.store(fromL2, now, { toL2: false });
      return fromL2;
    }
    if (withL2) observer.cacheLookup?.('l2', 'miss');
    if (trace) trace.tier = 'db';
    const readAt = Date.now();
    const fromStore = await loadFromStore(tokenHash, now);
    observer.cacheLookup?.('db', fromStore ? 'hit' : 'miss');
    if (options.faultFillDelayMs > 0) await sleep(options.faultFillDelayMs);
    // The fill is refused (inside store) when a newer revision was heard of since the read: a late fill never wins.
    if (fromStore) cache.store(fromStore, Date.now(), { readAt });
    else cache.rememberUnknown(tokenHash);
    return fromStore;
  }

  /**
   * The cold path with its Redis and database work counted into the request's trace (entered here: an L1 hit never
   * gets this far, so the hot path pays nothing for it).
   */
  function tracedLoad(tokenHash: string, now: number, trace?: RequestTrace): Promise<SessionEntry | undefined> {
    return trace ? runWithTrace(trace, () => loadCold(tokenHash, now, trace)) : loadCold(tokenHash, now, trace);
  }

  function shared(tokenHash: string, now: number, trace?: RequestTrace): Promise<SessionEntry | undefined> {
    let pending = inFlight.get(tokenHash);
    if (!pending) {
      pending = tracedLoad(tokenHash, now, trace).finally(() => inFlight.delete(tokenHash));
      inFlight.set(tokenHash, pending);
    }
    return pending;
  }

  /** A value on an L1 hit (or a malformed/known-unknown token), a promise when a lower tier is needed. */
  return function validate(
    token: string,
    trace?: RequestTrace,
  ): SessionEntry | undefined | Promise<SessionEntry | undefined> {
    // A forged or mistyped token fails its checksum here: no hash, no cache, no query.
    if (!isWellFormedToken(token, acceptLegacy)) return undefined;
    const tokenHash = hashToken(token);
    const now = Date.now();
    const cached = cache.peek(tokenHash, now);
    if (cached === UNKNOWN) {
      observer.cacheLookup?.('l1', 'negative');
      if (trace) trace.tier = 'l1';
      return undefined;
    }
    if (cached !== undefined && usable(cached, now)) {
      observer.cacheLookup?.('l1', 'hit');
      if (trace) trace.tier = 'l1';
      touch.ifDue(cached, now);
      return cached;
    }
    observer.cacheLookup?.('l1', 'miss');
    return shared(tokenHash, now, trace).then(async (loaded) => {
      // A load this request joined may have read before a change that is known now: read again, once.
      const entry = loaded && !cache.admits(loaded) ? await tracedLoad(tokenHash, Date.now(), trace) : loaded;
      if (entry) touch.ifDue(entry, now);
      return entry;
    });
  };
}

export type SessionValidator = ReturnType<typeof createSessionValidator>;
