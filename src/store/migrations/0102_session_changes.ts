import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Cache coherence: every session carries a revision, bumped by each change a cache must not hide, and every bump
 * is logged in `session_changes` so each instance can learn of it from the database even when Redis lost it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .alterTable('sessions')
    .addColumn('revision', 'bigint', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('session_changes')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('session_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_changes_changed_at_idx').on('session_changes').column('changed_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('session_changes').ifExists().execute();
  await db.schema.alterTable('sessions').dropColumn('revision').execute();
}
