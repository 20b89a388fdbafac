import type { PoolMonitor } from './pool-monitor.js';
import type { QueryListener } from './query-monitor.js';
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
  /**
   * Bumped by every change a cache must not hide (revocation, rotation, data write, a change of its user);
   * a cached copy older than the newest revision any instance has heard of is never served.
   */
  revision: number;
}

/** One row of the change log: this session reached this revision. Caches are fenced by it. */
export interface SessionChange {
  sessionId: string;
  revision: number;
}

/** A change as the log holds it; `seq` orders the log (gaps can appear while writers are still committing). */
export interface LoggedSessionChange extends SessionChange {
  seq: number;
}

/** What a revocation or change leaves for the caches: every token hash still cacheable, and the change-log rows. */
export interface SessionChanges {
  sessionIds: string[];
  tokenHashes: string[];
  changes: SessionChange[];
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
  /** The users with these ids that exist, in no particular order (one query: warming reads users in batches). */
  findByIds(ids: string[]): Promise<UserRecord[]>;
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
  /**
   * The session whose current token has this hash with its user, in one indexed query (validation's database
   * step); undefined when no session has it or its user is gone.
   */
  findWithUserByTokenHash(tokenHash: string): Promise<{ session: SessionRecord; user: UserRecord } | undefined>;
  /** A token that was rotated out of a session. */
  findRetiredToken(tokenHash: string): Promise<RetiredToken | undefined>;
  /**
   * Compare-and-set rotation: replaces the current hash only if it is still `oldHash`, and records
   * `oldHash` as retired at `now`. Undefined when another rotation won.
   */
  rotate(
    sessionId: string,
    oldHash: string,
    newHash: string,
    now: number,
    idleExpiresAt: number,
  ): Promise<SessionChange | undefined>;
  /** Throttled activity write. */
  touch(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<void>;
  /**
   * Marks one session revoked (if not already) and returns every token hash that could still be cached
   * for it (current and retired), so caches can drop them. Undefined when no such live session.
   */
  revoke(id: string, reason: string, now: number): Promise<(SessionChanges & { session: SessionRecord }) | undefined>;
  /** Revokes every live session of a user (except one, when given); returns the revoked ids and hashes. */
  revokeAllForUser(userId: string, reason: string, now: number, exceptSessionId?: string): Promise<SessionChanges>;
  /** The user's roles or account changed: every live session of it gets a new revision. */
  markUserChanged(userId: string, now: number): Promise<SessionChanges>;
  /** Change-log rows after `seq`, in order, at most `limit`. */
  changesAfter(seq: number, limit: number): Promise<LoggedSessionChange[]>;
  /** The seq just before the first change logged at or after `since` (epoch ms): where a new reader starts. */
  changeSeqBefore(since: number): Promise<number>;
  /** Live (not revoked, not expired at `now`) sessions of a user, newest first. */
  listLiveByUser(userId: string, now: number): Promise<SessionRecord[]>;
  /** Compare-and-set on version; undefined when `expectedVersion` is stale or the session is gone. */
  updateData(
    id: string,
    data: Record<string, unknown>,
    expectedVersion: number,
    now: number,
  ): Promise<{ data: Record<string, unknown>; version: number; change: SessionChange } | undefined>;
  /**
   * Deletes, in batches of `batchSize`, sessions expired (idle or absolute) before `now` and sessions revoked
   * before `revokedBefore`, with their retired tokens, and change-log rows older than `changesBefore`. With dryRun
   * nothing is deleted and `deleted` counts what would be. `remaining` is the number of sessions left in the table.
   */
  cleanup(query: SessionCleanupQuery): Promise<SessionCleanupCounts>;
  countByState(now: number): Promise<{ active: number; expired: number; revoked: number }>;
  /** Live sessions seen since `since`, most recent first. */
  recentlyActive(since: number, now: number, limit: number): Promise<SessionRecord[]>;
}

/** One cleanup run over the sessions table (SessionRepository.cleanup). */
export interface SessionCleanupQuery {
  now: number;
  revokedBefore: number;
  /** Change-log rows logged before this are deleted (no cache can still hold what they fence). */
  changesBefore?: number;
  batchSize: number;
  dryRun: boolean;
}

export interface SessionCleanupCounts {
  deleted: number;
  remaining: number;
}

export interface AuditRepository {
  insert(event: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  query(filter: {
    type?: string;
    since?: number;
    userId?: string;
    tenant?: string;
    limit: number;
  }): Promise<AuditRecord[]>;
}

export interface LocksRepository {
  /** Takes the named lock for `ttlMs` if it is free or expired (or already ours). */
  tryAcquire(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export type LoadTestStatus = 'running' | 'passed' | 'failed' | 'stopped' | 'error';

/** A load test run by the server (src/loadtest/service). The report itself is read on its own (it is large). */
export interface LoadTestRunRecord {
  id: string;
  name: string | null;
  kind: 'scenario' | 'suite';
  /** What was run, e.g. `auth/smoke` or `suite/basic`. */
  preset: string;
  /** The request as accepted (scenario, suite, profile, vus, rate, duration, thresholds). */
  params: Record<string, unknown>;
  target: string;
  status: LoadTestStatus;
  /** The instance running it: only that one holds its live progress and can stop it directly. */
  instanceId: string;
  createdBy: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** Written every few seconds by the running instance; a stale one means that instance is gone. */
  heartbeatAt: number;
  stopRequestedAt: number | null;
  /** The last progress the running instance wrote with its heartbeat. */
  progress: Record<string, unknown> | null;
  grade: string | null;
  /** k6-shaped summary of the finished run (metrics, thresholds, grade, recommendations). */
  summary: Record<string, unknown> | null;
  error: string | null;
}

export interface LoadTestFinish {
  status: Exclude<LoadTestStatus, 'running'>;
  finishedAt: number;
  grade: string | null;
  summary: Record<string, unknown> | null;
  error: string | null;
  /** The JSON report (text), or null when the run produced none. */
  report: string | null;
}

export interface LoadTestBaselineRecord {
  runId: string;
  name: string;
  createdAt: number;
  /** The JSON report (text). */
  report: string;
}

export interface LoadTestsRepository {
  insert(run: LoadTestRunRecord): Promise<void>;
  get(id: string): Promise<LoadTestRunRecord | undefined>;
  /** Newest first. */
  list(limit: number): Promise<LoadTestRunRecord[]>;
  /** The JSON report of a finished run. */
  report(id: string): Promise<string | undefined>;
  /** Refreshes a running run's heartbeat and progress; tells whether a stop was asked for (from any instance). */
  heartbeat(id: string, now: number, progress: Record<string, unknown> | null): Promise<{ stopRequested: boolean }>;
  /** Asks the instance running it to stop; false when the run is not running. */
  requestStop(id: string, now: number): Promise<boolean>;
  /** Records the end of a running run (no effect on a run that already ended). */
  finish(id: string, result: LoadTestFinish): Promise<void>;
  /** Runs still `running` whose heartbeat is older than `heartbeatBefore` end as `error` with `message`. */
  markStale(heartbeatBefore: number, now: number, message: string): Promise<number>;
  /** Deletes ended runs beyond the newest `keep` runs; returns how many. */
  prune(keep: number): Promise<number>;
  /** Saves a baseline; false when the run already has one. */
  saveBaseline(baseline: LoadTestBaselineRecord): Promise<boolean>;
  baseline(runId: string): Promise<LoadTestBaselineRecord | undefined>;
  /** Which of these runs have a baseline. */
  baselineIds(runIds: string[]): Promise<Set<string>>;
  /** Deletes baselines beyond the newest `keep`. */
  pruneBaselines(keep: number): Promise<number>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * The query builder, for layers that own tables of their own (metrics history and alerts, IP bans); their
   * migrations are registered in src/store/migrations. Session and user data go through the repositories only.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each owner types its own tables where it queries them
  readonly db: Kysely<any>;
  readonly users: UsersRepository;
  readonly roles: RolesRepository;
  readonly sessions: SessionsRepository;
  readonly audit: AuditRepository;
  readonly locks: LocksRepository;
  readonly loadTests: LoadTestsRepository;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Round-trip to the database; throws DependencyError('database') when it does not answer. */
  ping(): Promise<void>;
  /** Size of the store on disk in bytes (SQLite file size, pg_database_size). */
  sizeBytes(): Promise<number>;
  /** Bytes of the sessions table with its indexes (pg_total_relation_size; SQLite's dbstat). */
  sessionsTableBytes(): Promise<number>;
  /** Hears every query: statement name (`sessions.select`, never parameters), round trip, failed or not. */
  onQuery(listener: QueryListener): void;
  /** The PostgreSQL pool's clients and checkout waits (absent with SQLite, which has no pool). */
  readonly pool?: PoolMonitor;
  close(): Promise<void>;
}
