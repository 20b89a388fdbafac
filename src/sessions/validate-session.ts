import { hashToken, isWellFormedToken } from './token.js';
import { UNKNOWN, type SessionCache } from './session-cache.js';
import type { StoreLoader } from './load-from-store.js';
import type { SessionToucher } from './touch-session.js';
import type { RequestTrace, SessionEntry, SessionObserver } from './types.js';

const usable = (e: SessionEntry, now: number): boolean =>
  e.session.revokedAt === null && now < e.session.expiresAt && now < e.session.idleExpiresAt && (e.graceUntil === undefined || now < e.graceUntil);

/**
 * The hot path: token → hash → L1 → L2 → database. Concurrent validations of one cold token share one
 * L2/database fetch; unknown tokens are remembered briefly so a token spray never reaches the database.
 */
export function createSessionValidator(cache: SessionCache, loadFromStore: StoreLoader, touch: SessionToucher, observer: SessionObserver, faultFillDelayMs = 0) {
  const inFlight = new Map<string, Promise<SessionEntry | undefined>>();

  async function loadCold(tokenHash: string, now: number, trace?: RequestTrace): Promise<SessionEntry | undefined> {
    const fromL2 = cache.hasL2 ? await cache.fromL2(tokenHash) : undefined;
    if (fromL2 && usable(fromL2, now)) {
      observer.cacheLookup?.('l2', 'hit');
      if (trace) trace.tier = 'l2';
      cache.store(fromL2, now, { toL2: false });
      return fromL2;
    }
    if (cache.hasL2) observer.cacheLookup?.('l2', 'miss');
    if (trace) trace.tier = 'db';
    const fromStore = await loadFromStore(tokenHash, now, trace);
    if (faultFillDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, faultFillDelayMs));
    observer.cacheLookup?.('db', fromStore ? 'hit' : 'miss');
    if (fromStore) cache.store(fromStore, now);
    else cache.rememberUnknown(tokenHash);
    return fromStore;
  }

  /** A value on an L1 hit (or a malformed/known-unknown token), a promise when a lower tier is needed. */
  return function validate(token: string, trace?: RequestTrace): SessionEntry | undefined | Promise<SessionEntry | undefined> {
    if (!isWellFormedToken(token)) return undefined;
    const tokenHash = hashToken(token);
    const now = Date.now();
    const cached = cache.peek(tokenHash);
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
    let pending = inFlight.get(tokenHash);
    if (!pending) {
      pending = loadCold(tokenHash, now, trace).finally(() => inFlight.delete(tokenHash));
      inFlight.set(tokenHash, pending);
    }
    return pending.then((entry) => {
      if (entry) touch.ifDue(entry, now);
      return entry;
    });
  };
}

export type SessionValidator = ReturnType<typeof createSessionValidator>;
