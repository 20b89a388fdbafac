import path from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import type { Pool } from 'pg';
import type { Config } from '../../config/index.js';
import { SQLITE_FILENAME } from '../../store/index.js';
import { migrationProvider } from '../../store/migrations/index.js';
import { openPostgres } from '../../store/postgres.js';
import { openSqlite } from '../../store/sqlite.js';
import { checkEmails } from './emails.js';
import { expectedIndexes } from './expected-indexes.js';
import { errorMessage, fail, ok, redactUrl, skip, warn, type CheckResult } from './types.js';

const DOCTOR_TIMEOUT_MS = 3000;

export interface DatabaseCheckOptions {
  /** Instances expected to share the database (each with DATABASE_POOL_MAX connections). */
  instances: number;
}

/** Reachable, migrated, indexed; PostgreSQL's connection budget; SQLite's journal mode. */
export async function checkDatabase(config: Config, options: DatabaseCheckOptions): Promise<CheckResult[]> {
  const timeoutMs = Math.min(config.databaseTimeout, DOCTOR_TIMEOUT_MS);
  if (config.databaseUrl) {
    const { db, pool } = openPostgres({ url: config.databaseUrl, poolMax: 2, timeoutMs });
    try {
      return await checkOpenDatabase(db, 'postgres', `PostgreSQL at ${redactUrl(config.databaseUrl)}`, async () => [
        await checkConnectionBudget(pool, config, options),
      ]);
    } finally {
      await db.destroy().catch(() => {});
    }
  }
  const file = path.resolve(config.dataDir, SQLITE_FILENAME);
  let opened: ReturnType<typeof openSqlite>;
  try {
    opened = openSqlite(file, timeoutMs);
  } catch (error) {
    return [
      fail(
        'database',
        `SQLite file ${file} cannot be opened: ${errorMessage(error)}`,
        'check TESSERA_DATA_DIR and its permissions',
      ),
    ];
  }
  try {
    return await checkOpenDatabase(opened.db, 'sqlite', `SQLite at ${file}`, async () => [
      await checkJournalMode(opened.db),
    ]);
  } finally {
    await opened.db.destroy().catch(() => {});
  }
}

async function checkOpenDatabase<DB>(
  db: Kysely<DB>,
  dialect: 'postgres' | 'sqlite',
  label: string,
  more: () => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  const started = performance.now();
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    return [
      fail(
        'database',
        `${label} is unreachable: ${errorMessage(error)}`,
        dialect === 'postgres'
          ? 'check DATABASE_URL (host, port, database, credentials) and that PostgreSQL is running and accepts connections from here'
          : 'check TESSERA_DATA_DIR and its permissions',
      ),
    ];
  }
  const results = [ok('database', `${label} reachable (${Math.round(performance.now() - started)} ms)`)];
  const migrations = await new Migrator({ db, provider: migrationProvider }).getMigrations();
  const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  if (pending.length > 0) {
    results.push(
      warn(
        'migrations',
        `${pending.length} pending: ${pending.join(', ')}`,
        'run `tessera migrate` (serve also applies them at start)',
      ),
    );
    results.push(skip('indexes', 'checked once the migrations are applied'));
  } else {
    results.push(ok('migrations', `all ${migrations.length} applied`));
    results.push(await checkIndexes(db, dialect));
    results.push(await checkEmails(db, dialect));
  }
  results.push(...(await more()));
  return results;
}

async function checkIndexes<DB>(db: Kysely<DB>, dialect: 'postgres' | 'sqlite'): Promise<CheckResult> {
  const expected = await expectedIndexes();
  const { rows } =
    dialect === 'postgres'
      ? await sql<{
          name: string;
        }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(db)
      : await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(db);
  const present = new Set(rows.map((r) => r.name));
  const missing = expected.filter((index) => !present.has(index.name));
  if (missing.length === 0) return ok('indexes', `all ${expected.length} indexes the queries need are present`);
  return fail(
    'indexes',
    `missing ${missing.map((i) => `${i.name} (on ${i.table})`).join(', ')}: the queries that need ${missing.length > 1 ? 'them' : 'it'} scan the whole table`,
    `recreate: ${missing.map((i) => `${i.ddl.replace(/\s+/g, ' ')};`).join(' ')}`,
  );
}

async function checkConnectionBudget(
  pool: Pool,
  config: Config,
  { instances }: DatabaseCheckOptions,
): Promise<CheckResult> {
  const { rows } = await pool.query<{ name: string; setting: string }>(
    `select name, setting from pg_settings where name in ('max_connections', 'superuser_reserved_connections', 'reserved_connections')`,
  );
  const setting = (name: string): number => Number(rows.find((r) => r.name === name)?.setting ?? 0);
  const max = setting('max_connections');
  const reserved = setting('superuser_reserved_connections') + setting('reserved_connections');
  const usable = max - reserved;
  const needed = config.databasePoolMax * instances;
  const detail = `DATABASE_POOL_MAX ${config.databasePoolMax} × ${instances} instance(s) = ${needed} connections; the server allows ${usable} (max_connections ${max} − ${reserved} reserved)`;
  if (needed > usable) {
    return warn(
      'connections',
      detail,
      `lower DATABASE_POOL_MAX to ${Math.max(1, Math.floor(usable / instances))} or fewer, raise max_connections, or put PgBouncer in front`,
    );
  }
  return ok('connections', detail);
}

async function checkJournalMode<DB>(db: Kysely<DB>): Promise<CheckResult> {
  const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
  const mode = rows[0]?.journal_mode ?? 'unknown';
  if (mode.toLowerCase() === 'wal') return ok('journal mode', 'SQLite uses WAL (readers never block the writer)');
  return warn(
    'journal mode',
    `SQLite journal mode is ${mode}, not WAL: the file system refused WAL`,
    'put TESSERA_DATA_DIR on a local file system (not NFS/SMB) so WAL can be used',
  );
}
