import type { Kysely } from 'kysely';

/**
 * Observability state for deployments whose instances share the database but no Redis (and for embedded mode,
 * so a restart loses nothing): one-minute metric aggregates per instance, each instance's live window,
 * alerts and the API-set alert rules. JSON as text, epoch-ms bigints, as in 0001.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('metric_minutes')
    .addColumn('minute_start', 'bigint', (c) => c.notNull())
    .addColumn('instance', 'varchar(128)', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_minutes_pkey', ['minute_start', 'instance'])
    .execute();
  await db.schema
    .createTable('metric_live')
    .addColumn('instance', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alerts')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('alert_rules')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['alert_rules', 'alerts', 'metric_live', 'metric_minutes'])
    await db.schema.dropTable(table).ifExists().execute();
}
