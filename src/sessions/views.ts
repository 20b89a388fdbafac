import type { SessionRecord } from '../store/types.js';
import type { SessionView } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

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
