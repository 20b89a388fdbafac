import type { Store } from '../store/types.js';
import type { PermissionResolver } from '../auth/permissions.js';
import { toUserView } from '../auth/user-view.js';
import type { SessionCache } from './session-cache.js';
import type { SessionEntry } from './types.js';

/** Rough size of one cached entry in Redis, used to respect the warming memory budget. */
const ESTIMATED_ENTRY_BYTES = 1024;

/**
 * Loads recently active sessions, their users and permissions into L2 so the first request after a
 * deploy or a Redis restart is served from cache. Returns how many entries were written.
 */
export async function warmSessions(
  store: Store,
  cache: SessionCache,
  permissions: PermissionResolver,
  options: { windowMs: number; budgetBytes: number },
): Promise<number> {
  if (!cache.hasL2(Date.now())) return 0;
  const now = Date.now();
  const limit = Math.max(0, Math.floor(options.budgetBytes / ESTIMATED_ENTRY_BYTES));
  const sessions = await store.sessions.recentlyActive(now - options.windowMs, now, limit);
  const users = new Map<string, SessionEntry['user'] | undefined>();
  const entries: SessionEntry[] = [];
  for (const session of sessions) {
    if (!users.has(session.userId)) {
      const user = await store.users.findById(session.userId);
      users.set(session.userId, user && toUserView(user, await permissions.forRoles(user.roles)));
    }
    const user = users.get(session.userId);
    if (user) entries.push({ tokenHash: session.tokenHash, session, user });
  }
  await cache.storeManyL2(entries, now);
  return entries.length;
}
