import type { SessionRecord, Store, UserRecord } from '../store/types.js';
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
 * The database step of validation: the current token (one query, with its user), else a rotated-out one (valid during its grace
 * period; after it, presenting it revokes the session). Undefined when the token opens no live session.
 */
export function createStoreLoader(deps: StoreLoaderDeps) {
  const { store, observer } = deps;

  async function entryOf(tokenHash: string, session: SessionRecord, user: UserRecord): Promise<SessionEntry> {
    const permissions = await deps.permissions.forRoles(user.roles);
    return { tokenHash, session, user: toUserView(user, permissions) };
  }

  async function entryFor(tokenHash: string, session: SessionRecord): Promise<SessionEntry | undefined> {
    const user = await timedQuery(observer, 'user_by_id', () => store.users.findById(session.userId));
    return user && entryOf(tokenHash, session, user);
  }

  return async function loadFromStore(tokenHash: string, now: number): Promise<SessionEntry | undefined> {
    // One query for the common case (a current token): the session and its user together.
    const current = await timedQuery(observer, 'session_by_token', () =>
      store.sessions.findWithUserByTokenHash(tokenHash),
    );
    if (current) return isLive(current.session, now) ? entryOf(tokenHash, current.session, current.user) : undefined;

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
