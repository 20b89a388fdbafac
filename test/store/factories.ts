import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/types.js';
import { createTestDatabase } from '../helpers/services.js';

/** A freshly migrated store of one dialect, and how to throw it away. */
export interface StoreFixture {
  store: Store;
  dispose(): Promise<void>;
}

export interface StoreFactory {
  dialect: 'sqlite' | 'postgres';
  create(): Promise<StoreFixture>;
}

export const sqliteFactory: StoreFactory = {
  dialect: 'sqlite',
  async create() {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-store-'));
    const store = await createStore(loadConfig({ TESSERA_DATA_DIR: dir }));
    await store.migrate();
    return {
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresFactory: StoreFactory = {
  dialect: 'postgres',
  async create() {
    const database = await createTestDatabase();
    const store = await createStore(loadConfig({ DATABASE_URL: database.url, DATABASE_POOL_MAX: '4' }));
    await store.migrate();
    return {
      store,
      dispose: async () => {
        await store.close();
        await database.drop();
      },
    };
  },
};
