import type { Kysely } from 'kysely';

/**
 * Load tests run by the server (POST /v1/admin/loadtests): one row per run with its final report, and the
 * baselines saved from them (a copy of the report, so a baseline outlives the retention of its run).
 * JSON as text, epoch-ms bigints, as in 0001.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('loadtest_runs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)')
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('preset', 'varchar(64)', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('instance_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_by', 'varchar(320)')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .addColumn('stop_requested_at', 'bigint')
    .addColumn('progress', 'text')
    .addColumn('grade', 'varchar(2)')
    .addColumn('summary', 'text')
    .addColumn('error', 'text')
    .addColumn('report', 'text')
    .execute();
  await db.schema.createIndex('loadtest_runs_started_at_idx').on('loadtest_runs').column('started_at').execute();
  await db.schema.createIndex('loadtest_runs_status_idx').on('loadtest_runs').column('status').execute();
  await db.schema
    .createTable('loadtest_baselines')
    .addColumn('run_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('loadtest_baselines_created_at_idx')
    .on('loadtest_baselines')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['loadtest_baselines', 'loadtest_runs']) await db.schema.dropTable(table).ifExists().execute();
}
