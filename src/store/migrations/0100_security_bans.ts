import type { Kysely } from 'kysely';

/** IP bans, durable: Redis holds the shared working copy; this table survives its loss (src/security/bans-sql.ts). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('security_bans')
    .ifNotExists()
    .addColumn('ip', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('reason', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('created_by', 'varchar(128)')
    .execute();
  await db.schema
    .createIndex('security_bans_expires_at')
    .ifNotExists()
    .on('security_bans')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('security_bans').ifExists().execute();
}
