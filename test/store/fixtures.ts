import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SessionRecord, Store } from '../../src/store/types.js';

export const hashOf = (label: string): string => createHash('sha256').update(label).digest('hex');
export const randomHash = (): string => hashOf(randomBytes(16).toString('hex'));

export const HOUR = 3_600_000;
export const T0 = 1_750_000_000_000;

let emailSeq = 0;

export async function makeUser(store: Store, overrides: { tenant?: string; email?: string; roles?: string[] } = {}) {
  return store.users.create(
    {
      tenant: overrides.tenant ?? 'default',
      email: overrides.email ?? `user${++emailSeq}-${randomBytes(3).toString('hex')}@example.com`,
      name: 'Test User',
      passwordHash: '$argon2id$fake',
      roles: overrides.roles ?? ['user'],
    },
    T0,
  );
}

export function sessionFor(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomUUID(),
    userId,
    tenant: 'default',
    tokenHash: randomHash(),
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + 24 * HOUR,
    idleExpiresAt: T0 + HOUR,
    revokedAt: null,
    revokeReason: null,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    data: {},
    version: 1,
    revision: 1,
    ...overrides,
  };
}

export async function insertSession(store: Store, userId: string, overrides: Partial<SessionRecord> = {}) {
  const session = sessionFor(userId, overrides);
  await store.sessions.insert(session);
  return session;
}
