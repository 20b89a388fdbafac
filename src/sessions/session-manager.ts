import { randomUUID } from 'node:crypto';
import { TesseraError } from '../errors/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Store, UserRecord } from '../store/types.js';
import type { SessionCache } from './session-cache.js';
import type { SessionValidator } from './validate-session.js';
import { generateToken, hashToken } from './token.js';
import type { ClientInfo } from '../auth/user-sessions.js';
import type { UserView } from '../auth/user-view.js';
import type { SessionEntry } from './types.js';
import { toSessionView } from './views.js';

export interface SessionPolicy {
  idleTtlMs: number;
  absoluteTtlMs: number;
}

/** Issues, rotates and revokes sessions; validation itself is the `validate` hot path. */
export class SessionManager {
  constructor(
    private readonly store: Store,
    private readonly cache: SessionCache,
    readonly validate: SessionValidator,
    private readonly audit: AuditLog,
    private readonly policy: SessionPolicy,
  ) {}

  async open(user: UserRecord, userView: UserView, client: ClientInfo): Promise<{ token: string; entry: SessionEntry }> {
    const now = Date.now();
    const token = generateToken();
    const expiresAt = now + this.policy.absoluteTtlMs;
    const session = {
      id: randomUUID(),
      userId: user.id,
      tenant: user.tenant,
      tokenHash: hashToken(token),
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      idleExpiresAt: Math.min(now + this.policy.idleTtlMs, expiresAt),
      revokedAt: null,
      revokeReason: null,
      ip: client.ip,
      userAgent: client.userAgent,
      data: {},
      version: 1,
    };
    await this.store.sessions.insert(session);
    const entry: SessionEntry = { tokenHash: session.tokenHash, session, user: userView };
    this.cache.store(entry, now);
    return { token, entry };
  }

  /** New token for the same session; the old one keeps working for the grace period, then it is dead. */
  async refresh(entry: SessionEntry, client: ClientInfo): Promise<{ token: string; entry: SessionEntry }> {
    if (entry.graceUntil !== undefined) throw new TesseraError('unauthenticated', 'This token was already rotated; use the newer one.');
    const now = Date.now();
    const token = generateToken();
    const tokenHash = hashToken(token);
    const idleExpiresAt = Math.min(now + this.policy.idleTtlMs, entry.session.expiresAt);
    const rotated = await this.store.sessions.rotate(entry.session.id, entry.tokenHash, tokenHash, now, idleExpiresAt);
    if (!rotated) throw new TesseraError('unauthenticated', 'This token was already rotated; use the newer one.');
    await this.cache.invalidate({ tokenHashes: [entry.tokenHash] });
    const fresh: SessionEntry = { tokenHash, session: { ...entry.session, tokenHash, lastSeenAt: now, idleExpiresAt }, user: entry.user };
    this.cache.store(fresh, now);
    await this.audit.record('session_refresh', { tenant: fresh.session.tenant, userId: fresh.session.userId, sessionId: fresh.session.id, ip: client.ip, userAgent: client.userAgent });
    return { token, entry: fresh };
  }

  /** Revokes one session everywhere; false when it was not live. */
  async revoke(sessionId: string, reason: string): Promise<boolean> {
    const revoked = await this.store.sessions.revoke(sessionId, reason, Date.now());
    if (!revoked) return false;
    await this.cache.invalidate({ tokenHashes: revoked.tokenHashes, sessionIds: [sessionId] });
    return true;
  }

  async revokeAll(userId: string, reason: string, exceptSessionId?: string): Promise<number> {
    const revoked = await this.store.sessions.revokeAllForUser(userId, reason, Date.now(), exceptSessionId);
    await this.cache.invalidate({ tokenHashes: revoked.tokenHashes, sessionIds: revoked.sessionIds });
    return revoked.sessionIds.length;
  }

  /** A rotated-out token came back after its grace period: someone holds a stolen copy. */
  async onTokenReuse(sessionId: string, tokenHash: string): Promise<void> {
    const session = await this.store.sessions.findById(sessionId);
    if (!(await this.revoke(sessionId, 'token_reuse_detected'))) return;
    await this.audit.record('token_reuse_detected', { tenant: session?.tenant, userId: session?.userId, sessionId, details: { tokenHashPrefix: tokenHash.slice(0, 8) } });
  }

  async list(userId: string, currentSessionId: string) {
    const sessions = await this.store.sessions.listLiveByUser(userId, Date.now());
    return sessions.map((s) => ({
      id: s.id,
      createdAt: new Date(s.createdAt).toISOString(),
      lastSeenAt: new Date(s.lastSeenAt).toISOString(),
      ip: s.ip,
      userAgent: s.userAgent,
      current: s.id === currentSessionId,
    }));
  }

  /** Compare-and-set on `version`: a stale version is a 409, never a silent overwrite. */
  async updateData(entry: SessionEntry, data: Record<string, unknown>, version: number) {
    const updated = await this.store.sessions.updateData(entry.session.id, data, version);
    if (!updated) throw new TesseraError('version_conflict');
    await this.cache.invalidate({ sessionIds: [entry.session.id], tokenHashes: [entry.tokenHash] });
    return updated;
  }

  /** Roles or the account changed: every cached entry of this user, on every instance, is dropped. */
  async userChanged(userId: string): Promise<void> {
    const live = await this.store.sessions.listLiveByUser(userId, Date.now());
    await this.cache.invalidate({ userIds: [userId], tokenHashes: live.map((s) => s.tokenHash) });
  }

  view(entry: SessionEntry) {
    return toSessionView(entry.session);
  }
}
