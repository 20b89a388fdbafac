import { sql } from 'kysely';
import type { Db } from '../../src/store/database.js';
import type { Store } from '../../src/store/types.js';

/** The Kysely instance behind a store (an internal the tests use to look at the raw schema and rows). */
export const dbOf = (store: Store): Db => (store as Store & { db: Db }).db;

export async function indexNames(store: Store): Promise<string[]> {
  const query =
    store.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'index'`
      : sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema()`;
  return (await query.execute(dbOf(store))).rows.map((r) => r.name);
}

export async function columnNames(store: Store, table: string): Promise<string[]> {
  const query =
    store.dialect === 'sqlite'
      ? sql<{ name: string }>`select name from pragma_table_info(${table})`
      : sql<{
          name: string;
        }>`select column_name as name from information_schema.columns where table_name = ${table} and table_schema = current_schema()`;
  return (await query.execute(dbOf(store))).rows.map((r) => r.name);
}
