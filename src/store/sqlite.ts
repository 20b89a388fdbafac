import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from './database.js';
import { createQueryMonitor, type QueryMonitor } from './query-monitor.js';
import { withStatementCache } from './statement-cache.js';

export interface SqliteConnection {
  db: Kysely<Database>;
  sizeBytes: () => Promise<number>;
  sessionsTableBytes: () => Promise<number>;
}

/** Embedded mode: one SQLite file in WAL mode; `filename` may be ':memory:'. */
export function openSqlite(
  filename: string,
  busyTimeoutMs: number,
  queries: QueryMonitor = createQueryMonitor(),
): SqliteConnection {
  const inMemory = filename === ':memory:' || filename === '';
  if (!inMemory) mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const database = new SqliteDatabase(filename, { timeout: busyTimeoutMs });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
    log: queries.log,
  });
  const fileSize = (file: string): number => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  return {
    db,
    sizeBytes: async () => (inMemory ? 0 : fileSize(filename) + fileSize(`${filename}-wal`)),
    // The pages of the sessions table and its indexes (SQLite's dbstat table).
    sessionsTableBytes: async () => {
      const { rows } = await sql<{ size: number | null }>`select sum(pgsize) as size from dbstat
        where name in (select name from sqlite_master where tbl_name = 'sessions')`.execute(db);
      return Number(rows[0]?.size ?? 0);
    },
  };
}
