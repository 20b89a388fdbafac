import type { Selectable } from 'kysely';
import type { AuditEventsTable, RetiredTokensTable, SessionsTable, UsersTable } from './database.js';
import type { AuditRecord, RetiredToken, SessionRecord, UserRecord } from './types.js';

/** Row ↔ record conversion shared by the repositories (snake_case columns, JSON as text). */

const parseObject = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

export function toUser(row: Selectable<UsersTable>): UserRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    email: row.email,
    name: row.name,
    passwordHash: row.password_hash,
    roles: JSON.parse(row.roles) as string[],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

export function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    tenant: row.tenant,
    tokenHash: row.token_hash,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
    expiresAt: Number(row.expires_at),
    idleExpiresAt: Number(row.idle_expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    revokeReason: row.revoke_reason,
    ip: row.ip,
    userAgent: row.user_agent,
    data: parseObject(row.data),
    version: Number(row.version),
    revision: Number(row.revision),
  };
}

export function fromSession(s: SessionRecord): Selectable<SessionsTable> {
  return {
    id: s.id,
    user_id: s.userId,
    tenant: s.tenant,
    token_hash: s.tokenHash,
    created_at: s.createdAt,
    last_seen_at: s.lastSeenAt,
    expires_at: s.expiresAt,
    idle_expires_at: s.idleExpiresAt,
    revoked_at: s.revokedAt,
    revoke_reason: s.revokeReason,
    ip: s.ip,
    user_agent: s.userAgent,
    data: JSON.stringify(s.data),
    version: s.version,
    revision: s.revision,
  };
}

export function toRetiredToken(row: Selectable<RetiredTokensTable>): RetiredToken {
  return { tokenHash: row.token_hash, sessionId: row.session_id, retiredAt: Number(row.retired_at) };
}

export function toAudit(row: Selectable<AuditEventsTable>): AuditRecord {
  return {
    id: row.id,
    type: row.type,
    tenant: row.tenant,
    userId: row.user_id,
    sessionId: row.session_id,
    ip: row.ip,
    userAgent: row.user_agent,
    details: parseObject(row.details),
    createdAt: Number(row.created_at),
  };
}

export function fromAudit(id: string, e: Omit<AuditRecord, 'id'>): Selectable<AuditEventsTable> {
  return {
    id,
    type: e.type,
    tenant: e.tenant,
    user_id: e.userId,
    session_id: e.sessionId,
    ip: e.ip,
    user_agent: e.userAgent,
    details: JSON.stringify(e.details),
    created_at: e.createdAt,
  };
}
