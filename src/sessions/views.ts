import type { SessionRecord, UserRecord } from '../store/types.js';
import type { SessionView, UserView } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function toUserView(user: UserRecord, permissions: string[]): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    tenant: user.tenant,
    roles: user.roles,
    permissions,
    createdAt: iso(user.createdAt),
  };
}

export function toSessionView(s: SessionRecord): SessionView {
  return {
    id: s.id,
    userId: s.userId,
    createdAt: iso(s.createdAt),
    lastSeenAt: iso(s.lastSeenAt),
    expiresAt: iso(s.expiresAt),
    idleExpiresAt: iso(s.idleExpiresAt),
    data: s.data,
    version: s.version,
  };
}

export const isLive = (s: SessionRecord, now: number): boolean =>
  s.revokedAt === null && now < s.expiresAt && now < s.idleExpiresAt;
