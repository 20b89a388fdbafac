import { randomUUID } from 'node:crypto';
import { TesseraError } from '../errors/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Store, UserRecord } from '../store/types.js';
import type { SessionCache } from './session-cache.js';
import type { StoreLoader } from './load-from-store.js';
import { createSessionValidator, type SessionValidator, type ValidatorOptions } from './validate-session.js';
import type { SessionToucher } from './touch-session.js';
import { generateToken, hashToken } from './token.js';
import type { ClientInfo } from '../auth/user-sessions.js';
import type { UserView } from '../auth/user-view.js';
import type { SessionEntry, SessionObserver } from './types.js';
import { toSessionView } from './views.js';

export interface SessionPolicy {
  idleTtlMs: number;
  absoluteTtlMs: number;
}

export interface SessionManagerDeps {
  store: Store;
  cache: SessionCache;
  audit: AuditLog;
  toucher: SessionToucher;
  observer: SessionObserver;
  /** The database step of validation; it reports a rotated-out token presented too late to this manager. */
  createLoader(onTokenReuse: (sessionId: string, tokenHash: string) => Promise<void>): StoreLoader;
}

/**
 * Issues, rotates and revokes sessions, and owns validation (the `validate` hot path) with its theft detection.
 * Every change is written to the database first; the caches are then told, and cannot make it be lost.
 */
export class SessionManager {
  readonly validate: SessionValidator;
  private readonly store: Store;
  private readonly cache: SessionCache;
  private readonly audit: AuditLog;

  constructor(
    deps: SessionManagerDeps,
    private readonly policy: SessionPolicy & ValidatorOptions,
  ) {
    this.store = deps.store;
    this.cache = deps.cache;
    this.audit = deps.audit;
    const loader = deps.createLoader((sessionId, tokenHash) => this.onTokenReuse(sessionId, tokenHash));
    this.validate = createSessionValidator(deps.cache, loader, deps.toucher, deps.observer, policy);
  }

  async open(
    user: UserRecord,
    userView: UserView,
    client: ClientInfo,
  ): Promise<{ token: string; entry: SessionEntry }> {
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
      revision: 1,
    };
    await this.store.sessions.insert(session);
    const entry: SessionEntry = { tokenHash: session.tokenHash, session, user: userView };
    this.cache.store(entry, now);
    return { token, entry };
  }

  /** New token for the same session; the old one keeps working for the grace period, then it is dead. */
  async refresh(entry: SessionEntry, client: ClientInfo): Promise<{ token: string; entry: SessionEntry }> {
    if (entry.graceUntil !== undefined)
      throw new TesseraError('unauthenticated', 'This token was already rotated; use the newer one.');
    const now = Date.now();
    const token = generateToken();
    const tokenHash = hashToken(token);
    const idleExpiresAt = Math.min(now + this.policy.idleTtlMs, entry.session.expiresAt);
    const change = await this.store.sessions.rotate(entry.session.id, entry.tokenHash, tokenHash, now, idleExpiresAt);
    if (!change) throw new TesseraError('unauthenticated', 'This token was already rotated; use the newer one.');
    await this.cache.changed({ tokenHashes: [entry.tokenHash], changes: [change] });
    const session = { ...entry.session, tokenHash, lastSeenAt: now, idleExpiresAt, revision: change.revision };
    const fresh: SessionEntry = { tokenHash, session, user: entry.user };
    this.cache.store(fresh, now);
    await this.audit.record('session_refresh', {
      tenant: fresh.session.tenant,
      userId: fresh.session.userId,
      sessionId: fresh.session.id,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return { token, entry: fresh };
  }

  /** Revokes one session everywhere; false when it was not live. */
  async revoke(sessionId: string, reason: string): Promise<boolean> {
    const revoked = await this.store.sessions.revoke(sessionId, reason, Date.now());
    if (!revoked) return false;
    await this.cache.changed(revoked);
    return true;
  }

  async revokeAll(userId: string, reason: string, exceptSessionId?: string): Promise<number> {
    const revoked = await this.store.sessions.revokeAllForUser(userId, reason, Date.now(), exceptSessionId);
    await this.cache.changed(revoked);
    return revoked.sessionIds.length;
  }

  /** A rotated-out token came back after its grace period: someone holds a stolen copy. */
  async onTokenReuse(sessionId: string, tokenHash: string): Promise<void> {
    const session = await this.store.sessions.findById(sessionId);
    if (!(await this.revoke(sessionId, 'token_reuse_detected'))) return;
    await this.audit.record('token_reuse_detected', {
      tenant: session?.tenant,
      userId: session?.userId,
      sessionId,
      details: { tokenHashPrefix: tokenHash.slice(0, 8) },
    });
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
  async updateData(
    entry: SessionEntry,
    data: Record<string, unknown>,
    version: number,
  ): Promise<{ data: Record<string, unknown>; version: number }> {
    const updated = await this.store.sessions.updateData(entry.session.id, data, version, Date.now());
    if (!updated) throw new TesseraError('version_conflict');
    await this.cache.changed({ tokenHashes: [entry.tokenHash], changes: [updated.change] });
    return { data: updated.data, version: updated.version };
  }

  /**
   * Roles or the account changed (call after the user row is written): every live session of the user gets a new
   * revision, so no cache anywhere serves the old user view.
   */
  async userChanged(userId: string): Promise<void> {
    await this.cache.changed(await this.store.sessions.markUserChanged(userId, Date.now()));
  }

  view(entry: SessionEntry) {
    return toSessionView(entry.session);
  }
}
