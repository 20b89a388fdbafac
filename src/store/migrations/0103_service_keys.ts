import type { Kysely } from 'kysely';

/** Service keys (`tsk_…`): backends reading the revocation stream. Only the key's SHA-256 is stored. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('service_keys')
    .ifNotExists()
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('prefix', 'varchar(16)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'varchar(128)')
    .addColumn('revoked_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('service_keys').ifExists().execute();
}
