import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { SqliteDatabase as KyselySqliteDatabase } from 'kysely';

/**
 * better-sqlite3 as Kysely's SQLite dialect sees it, preparing each distinct SQL text once: Kysely's driver calls
 * `prepare` for every query, which was 17 % of a database-served validation's CPU (issue #15). Safe to share: the
 * driver runs a statement to completion (`all`/`run`) before the next query, and Tessera streams no query
 * (`iterate`). Bounded, as queries with IN lists have one text per list length.
 */
export function withStatementCache(database: SqliteDatabase, max = 500): KyselySqliteDatabase {
  const statements = new LRUCache<string, Statement>({ max });
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql: string) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
