import type { SessionRecord, UserRecord } from '../store/types.js';
import type { UserView } from './user-view.js';

/** Who is on the other end of a request, as sessions and the audit log record it. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

/** The session a request is authenticated with, as far as account changes need it. */
export interface CurrentSession {
  session: Pick<SessionRecord, 'id' | 'userId'>;
}

/**
 * What accounts need of the session layer (src/sessions' SessionManager implements it), declared here so
 * that auth does not import sessions. `Entry` is the session layer's own entry type, handed back by login.
 */
export interface UserSessions<Entry extends CurrentSession> {
  open(user: UserRecord, view: UserView, client: ClientInfo): Promise<{ token: string; entry: Entry }>;
  revokeAll(userId: string, reason: string, exceptSessionId?: string): Promise<number>;
  /** Roles or the account changed: cached entries of this user must go. */
  userChanged(userId: string): Promise<void>;
}
