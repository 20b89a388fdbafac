import type { Kysely } from 'kysely';

/**
 * The storage contract. Two implementations share it (SQLite through better-sqlite3, PostgreSQL through pg),
 * both built on Kysely. Times are epoch milliseconds. Nothing here stores a raw token: only SHA-256 hashes.
 */

export interface UserRecord {
  id: string;
  tenant: string;
  email: string;
  name: string | null;
  passwordHash: string;
  roles: string[];
  createdAt: number;
  updatedAt: number;
}

export interface SessionRecord {
  id: string;
  userId: string;
  tenant: string;
  tokenHash: string;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute expiry: never moves. */
  expiresAt: number;
  /** Idle expiry: slides forward on (throttled) activity, capped at expiresAt. */
  idleExpiresAt: number;
  revokedAt: number | null;
  revokeReason: string | null;
  ip: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  version: number;
}

export interface RetiredToken {
  tokenHash: string;
  sessionId: string;
  retiredAt: number;
}

export interface AuditRecord {
  id: string;
  type: string;
  tenant: string | null;
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  createdAt: number;
}

export interface NewUser {
  tenant: string;
  email: string;
  name: string | null;
  passwordHash: string;
  roles: string[];
}

export interface UsersRepository {
  /** Throws TesseraError('email_taken') when (tenant, email) exists. */
  create(user: NewUser, now: number): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByEmail(tenant: string, email: string): Promise<UserRecord | undefined>;
  /** Users whose email contains `email` (case-insensitive), newest first. */
  search(filter: { email?: string; tenant?: string; limit: number }): Promise<UserRecord[]>;
  setRoles(id: string, roles: string[], now: number): Promise<UserRecord | undefined>;
  setPasswordHash(id: string, passwordHash: string, now: number): Promise<void>;
  count(): Promise<number>;
}

export interface RolesRepository {
  /** Union of the permissions of the given roles (unknown roles grant nothing). */
  permissionsFor(roles: string[]): Promise<string[]>;
  list(): Promise<Array<{ name: string; permissions: string[] }>>;
  upsert(name: string, permissions: string[]): Promise<void>;
}

export interface SessionsRepository {
  insert(session: SessionRecord): Promise<void>;
  findById(id: string): Promise<SessionRecord | undefined>;
  /** The session whose current token has this hash, whatever its state. */
  findByTokenHash(tokenHash: string): Promise<SessionRecord | undefined>;
  /** A token that was rotated out of a session. */
  findRetiredToken(tokenHash: string): Promise<RetiredToken | undefined>;
  /**
   * Compare-and-set rotation: replaces the current hash only if it is still `oldHash`, and records
   * `oldHash` as retired at `now`. False when another rotation won.
   */
  rotate(sessionId: string, oldHash: string, newHash: string, now: number, idleExpiresAt: number): Promise<boolean>;
  /** Throttled activity write. */
  touch(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<void>;
  /**
   * Marks one session revoked (if not already) and returns every token hash that could still be cached
   * for it (current and retired), so caches can drop them. Undefined when no such live session.
   */
  revoke(id: string, reason: string, now: number): Promise<{ session: SessionRecord; tokenHashes: string[] } | undefined>;
  /** Revokes every live session of a user (except one, when given); returns the revoked ids and hashes. */
  revokeAllForUser(
    userId: string,
    reason: string,
    now: number,
    exceptSessionId?: string,
  ): Promise<{ sessionIds: string[]; tokenHashes: string[] }>;
  /** Live (not revoked, not expired at `now`) sessions of a user, newest first. */
  listLiveByUser(userId: string, now: number): Promise<SessionRecord[]>;
  /** Compare-and-set on version; undefined when `expectedVersion` is stale or the session is gone. */
  updateData(id: string, data: Record<string, unknown>, expectedVersion: number): Promise<{ data: Record<string, unknown>; version: number } | undefined>;
  /**
   * Deletes, in batches of `batchSize`, sessions expired (idle or absolute) before `now` and sessions revoked
   * before `revokedBefore`, with their retired tokens. With dryRun nothing is deleted and `deleted` counts what would be.
   * `remaining` is the number of sessions left in the table.
   */
  cleanup(options: { now: number; revokedBefore: number; batchSize: number; dryRun: boolean }): Promise<{ deleted: number; remaining: number }>;
  countByState(now: number): Promise<{ active: number; expired: number; revoked: number }>;
  /** Live sessions seen since `since`, most recent first. */
  recentlyActive(since: number, now: number, limit: number): Promise<SessionRecord[]>;
}

export interface AuditRepository {
  insert(event: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  query(filter: { type?: string; since?: number; userId?: string; tenant?: string; limit: number }): Promise<AuditRecord[]>;
}

export interface LocksRepository {
  /** Takes the named lock for `ttlMs` if it is free or expired (or already ours). */
  tryAcquire(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * The query builder, for layers that own tables of their own (metrics history and alerts, IP bans); their
   * migrations are registered in src/store/migrations. Session and user data go through the repositories only.
   */
  readonly db: Kysely<any>;
  readonly users: UsersRepository;
  readonly roles: RolesRepository;
  readonly sessions: SessionsRepository;
  readonly audit: AuditRepository;
  readonly locks: LocksRepository;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Round-trip to the database; throws DependencyError('database') when it does not answer. */
  ping(): Promise<void>;
  /** Size of the store on disk in bytes (SQLite file size, pg_database_size). */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}
