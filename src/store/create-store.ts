import path from 'node:path';
import type { Config } from '../config/index.js';
import { createQueryMonitor } from './query-monitor.js';
import { buildStore } from './store.js';
import type { Store } from './types.js';

export const SQLITE_FILENAME = 'tessera.db';

export interface CreateStoreOptions {
  /** SQLite only: a file path (or ':memory:') instead of `<dataDir>/tessera.db`. */
  filename?: string;
  /** PostgreSQL only: hears connection errors that have no caller to reject (e.g. to log them). Never throws. */
  onConnectionError?: (error: Error) => void;
}

/**
 * Opens the store the configuration asks for: PostgreSQL when DATABASE_URL is set (scaled mode),
 * otherwise SQLite under TESSERA_DATA_DIR (embedded mode). Does not migrate: call `store.migrate()`.
 */
export type StoreConfig = Pick<Config, 'databaseUrl' | 'databasePoolMax' | 'databaseTimeout' | 'dataDir'>;

export async function createStore(config: StoreConfig, options: CreateStoreOptions = {}): Promise<Store> {
  const timeoutMs = config.databaseTimeout;
  const queries = createQueryMonitor();
  if (config.databaseUrl) {
    // Each driver is loaded only when chosen: pg is not resident in embedded mode, nor better-sqlite3 in scaled mode.
    const { openPostgres } = await import('./postgres.js');
    const { db, sizeBytes, sessionsTableBytes, poolMonitor, prepare } = openPostgres({
      url: config.databaseUrl,
      poolMax: config.databasePoolMax,
      timeoutMs,
      onConnectionError: options.onConnectionError,
      queries,
    });
    return buildStore({ dialect: 'postgres', db, sizeBytes, sessionsTableBytes, queries, pool: poolMonitor, prepare });
  }
  const filename = options.filename ?? path.join(config.dataDir, SQLITE_FILENAME);
  const { openSqlite } = await import('./sqlite.js');
  const { db, sizeBytes, sessionsTableBytes } = openSqlite(filename, timeoutMs, queries);
  return buildStore({ dialect: 'sqlite', db, sizeBytes, sessionsTableBytes, queries });
}
