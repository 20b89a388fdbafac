import { sql } from 'kysely';
import type { Db } from './database.js';
import { guardCall, guardRepository } from './db-errors.js';
import { migrateToLatest } from './migrate.js';
import type { PoolMonitor } from './pool-monitor.js';
import type { QueryMonitor } from './query-monitor.js';
import { auditRepository } from './repositories/audit.js';
import { loadTestsRepository } from './repositories/loadtests.js';
import { locksRepository } from './repositories/locks.js';
import { rolesRepository } from './repositories/roles.js';
import { sessionsRepository } from './repositories/sessions.js';
import { usersRepository } from './repositories/users.js';
import type { Store } from './types.js';

export interface StoreParts {
  dialect: Store['dialect'];
  db: Db;
  sizeBytes: () => Promise<number>;
  sessionsTableBytes: () => Promise<number>;
  queries: QueryMonitor;
  pool?: PoolMonitor;
  /** Marks a hot query's SQL to be prepared once per connection (PostgreSQL; SQLite caches every statement). */
  prepare?: (sql: string) => void;
}

/** Assembles the repositories over one Kysely instance; every call maps connectivity failures to DependencyError. */
export function buildStore({ dialect, db, sizeBytes, sessionsTableBytes, queries, pool, prepare }: StoreParts): Store {
  let closed: Promise<void> | undefined;
  return {
    dialect,
    db,
    users: guardRepository(usersRepository(db)),
    roles: guardRepository(rolesRepository(db)),
    sessions: guardRepository(sessionsRepository(db, prepare)),
    audit: guardRepository(auditRepository(db)),
    locks: guardRepository(locksRepository(db)),
    loadTests: guardRepository(loadTestsRepository(db)),
    migrate: () => guardCall(() => migrateToLatest(db)),
    ping: () => guardCall(async () => void (await sql`select 1`.execute(db))),
    sizeBytes: () => guardCall(sizeBytes),
    sessionsTableBytes: () => guardCall(sessionsTableBytes),
    onQuery: (listener) => queries.onQuery(listener),
    pool,
    close: () => (closed ??= db.destroy()),
  };
}
