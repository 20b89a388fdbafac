import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from '../../store/migrations/index.js';

export interface ExpectedIndex {
  name: string;
  table: string;
  /** The statement that creates it (portable: the schema builder's quoted DDL). */
  ddl: string;
}

/**
 * The indexes the migrations create, read back from a scratch in-memory SQLite after running every
 * migration there: the list can never drift from what the migrations actually do.
 */
export async function expectedIndexes(): Promise<ExpectedIndex[]> {
  const database = new SqliteDatabase(':memory:');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  try {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error('a migration failed', { cause: error });
    return (
      database
        .prepare(
          `select name, tbl_name as "table", sql as ddl from sqlite_master where type = 'index' and sql is not null order by name`,
        )
        .all() as ExpectedIndex[]
    ).filter((index) => !index.table.startsWith('kysely_'));
  } finally {
    await db.destroy();
  }
}
