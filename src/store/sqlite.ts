import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database.js';
import { countQuery } from './trace-context.js';
import { withStatementCache } from './statement-cache.js';

export interface SqliteConnection {
  db: Kysely<Database>;
  sizeBytes: () => Promise<number>;
}

/** Embedded mode: one SQLite file in WAL mode; `filename` may be ':memory:'. */
export function openSqlite(filename: string, busyTimeoutMs: number): SqliteConnection {
  const inMemory = filename === ':memory:' || filename === '';
  if (!inMemory) mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  const database = new SqliteDatabase(filename, { timeout: busyTimeoutMs });
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
    log: countQuery,
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
  };
}
