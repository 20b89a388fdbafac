import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './database.js';
import { monitorPool, type PoolMonitor } from './pool-monitor.js';
import { createQueryMonitor, type QueryMonitor } from './query-monitor.js';

export interface PostgresConnection {
  db: Kysely<Database>;
  pool: pg.Pool;
  poolMonitor: PoolMonitor;
  sizeBytes: () => Promise<number>;
  sessionsTableBytes: () => Promise<number>;
  /** Marks a query's SQL text to run as a named statement: parsed and planned once per connection, then reused. */
  prepare: (sql: string) => void;
}

type Query = (...args: unknown[]) => unknown;

/**
 * Makes a pg client send the SQL texts it is told of as named statements. Kysely's driver sends every query
 * unnamed (parsed and planned each time); only the hot lookups are named, so the server keeps a handful of
 * statements per connection and every other query is sent as before.
 */
function nameHotStatements(client: pg.PoolClient, named: Map<string, string>): void {
  const query = (client.query as Query).bind(client);
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? named.get(text) : undefined;
    return name === undefined ? query(...args) : query({ name, text, values });
  };
}

const INT8_OID = 20;

/** Epoch-ms bigints and count(*) fit in a double; parse them as numbers for this pool only (no global type hook). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

export interface PostgresOptions {
  url: string;
  poolMax: number;
  timeoutMs: number;
  /** Connection-level errors pg reports as events (the failed query itself rejects on its own). */
  onConnectionError?: (error: Error) => void;
  /** The store's query hook (counts and times every query). */
  queries?: QueryMonitor;
}

/** Scaled mode: a pg Pool with connect and statement timeouts, reconnecting by itself after an outage. */
export function openPostgres({
  url,
  poolMax,
  timeoutMs,
  onConnectionError = () => {},
  queries = createQueryMonitor(),
}: PostgresOptions): PostgresConnection {
  const named = new Map<string, string>();
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    // Client-side backstop for a server that stops answering (statement_timeout needs a live server).
    query_timeout: timeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types,
  });
  // A dropped connection is an 'error' event: on the pool for idle clients, on the client itself while it is
  // checked out (pg-pool removes its listener then). Unheard, either would crash the process; the pool already
  // discards the broken client and the query in flight rejects, so listening is all that is needed.
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
    nameHotStatements(client, named);
  });
  const poolMonitor = monitorPool(pool, poolMax);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queries.log });
  return {
    db,
    pool,
    poolMonitor,
    prepare: (text) => {
      if (!named.has(text)) named.set(text, `tessera_${named.size + 1}`);
    },
    sizeBytes: async () => {
      const { rows } = await sql<{ size: number }>`select pg_database_size(current_database()) as size`.execute(db);
      return Number(rows[0].size);
    },
    sessionsTableBytes: async () => {
      const { rows } = await sql<{ size: number }>`select pg_total_relation_size('sessions') as size`.execute(db);
      return Number(rows[0].size);
    },
  };
}
