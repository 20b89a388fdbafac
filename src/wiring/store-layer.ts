import type { Logger } from 'pino';
import { createStore, type StoreConfig } from '../store/create-store.js';
import type { Store } from '../store/types.js';
import type { Layer } from './layer.js';

/** The database: SQLite in embedded mode, PostgreSQL with DATABASE_URL; migrated unless told not to. */
export async function buildStoreLayer(config: StoreConfig, logger: Logger, migrate: boolean): Promise<Layer<Store>> {
  const store = await createStore(config);
  if (migrate) {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }
  return { service: store, close: () => store.close() };
}
