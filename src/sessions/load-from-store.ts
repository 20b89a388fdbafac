import type { SessionRecord, Store } from '../store/types.js';
import type { PermissionResolver } from '../auth/permissions.js';
import { timedQuery } from '../store/timed-query.js';
import { toUserView } from '../auth/user-view.js';
import type { SessionEntry, SessionObserver } from './types.js';
import { isLive } from './views.js';

export interface StoreLoaderDeps {
  store: Store;
  permissions: PermissionResolver;
  rotationGraceMs: number;
  observer: SessionObserver;
  /** Called when a rotated-out token is presented after its grace period (theft detection). */
  onTokenReuse(sessionId: string, tokenHash: string): Promise<void>;
}

/**
 * The database step of validation: the current token, else a rotated-out one (valid during its grace
 * period; after it, presenting it revokes the session). Undefined when the token opens no live session.
 */
export function createStoreLoader(deps: StoreLoaderDeps) {
  const { store, observer } = deps;

  async function entryFor(tokenHash: string, session: SessionRecord): Promise<SessionEntry | undefined> {
    const user = await timedQuery(observer, 'user_by_id', () => store.users.findById(session.userId));
    if (!user) return undefined;
    const permissions = await deps.permissions.forRoles(user.roles);
    return { tokenHash, session, user: toUserView(user, permissions) };
  }

  return async function loadFromStore(tokenHash: string, now: number): Promise<SessionEntry | undefined> {
    const current = await timedQuery(observer, 'session_by_token', () => store.sessions.findByTokenHash(tokenHash));
    if (current) return isLive(current, now) ? entryFor(tokenHash, current) : undefined;

    const retired = await timedQuery(observer, 'retired_token', () => store.sessions.findRetiredToken(tokenHash));
    if (!retired) return undefined;
    const graceUntil = retired.retiredAt + deps.rotationGraceMs;
    if (now >= graceUntil) {
      await deps.onTokenReuse(retired.sessionId, tokenHash);
      return undefined;
    }
    const session = await timedQuery(observer, 'session_by_id', () => store.sessions.findById(retired.sessionId));
    if (!session || !isLive(session, now)) return undefined;
    const entry = await entryFor(tokenHash, session);
    return entry && { ...entry, graceUntil };
  };
}

export type StoreLoader = ReturnType<typeof createStoreLoader>;
