import type { Logger } from 'pino';
import type { Store } from '../store/types.js';
import type { SessionCache } from './session-cache.js';
import type { SessionEntry, SessionObserver } from './types.js';
import { timedQuery } from '../store/timed-query.js';

/**
 * Sliding idle expiry with throttled writes: the row is written only once less than half the idle
 * timeout remains, so an active user costs one write per ~idleTtl/2, not one per request.
 */
export class SessionToucher {
  constructor(
    private readonly store: Store,
    private readonly cache: SessionCache,
    private readonly idleTtlMs: number,
    private readonly observer: SessionObserver,
    private readonly logger: Logger,
  ) {}

  ifDue(entry: SessionEntry, now: number): void {
    const s = entry.session;
    const nextIdle = Math.min(now + this.idleTtlMs, s.expiresAt);
    if (entry.graceUntil !== undefined || s.idleExpiresAt - now >= this.idleTtlMs / 2 || nextIdle <= s.idleExpiresAt) {
      this.observer.sessionWrite?.('skipped');
      return;
    }
    // Update the shared cached entry first, so concurrent requests see the new expiry and skip the write.
    entry.session = { ...s, lastSeenAt: now, idleExpiresAt: nextIdle };
    entry.body = undefined;
    this.observer.sessionWrite?.('done');
    this.cache.store(entry, now);
    timedQuery(this.observer, 'session_touch', () => this.store.sessions.touch(s.id, now, nextIdle)).catch(
      (error: unknown) => {
        this.logger.warn({ err: error, sessionId: s.id }, 'session activity could not be written');
      },
    );
  }
}
