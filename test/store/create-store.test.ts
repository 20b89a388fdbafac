import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createStore } from '../../src/store/create-store.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { makeUser } from './fixtures.js';
import { dbOf } from './introspect.js';

describe('createStore (embedded)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-create-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens <dataDir>/tessera.db in WAL mode with foreign keys, creating the directory', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const store = await createStore(loadConfig({ TESSERA_DATA_DIR: dataDir }));
    try {
      expect(store.dialect).toBe('sqlite');
      expect(await store.migrate()).toEqual(Object.keys(MIGRATIONS));
      expect(existsSync(path.join(dataDir, 'tessera.db'))).toBe(true);
      const db = dbOf(store);
      expect((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db)).rows[0]?.journal_mode).toBe('wal');
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0]?.foreign_keys).toBe(1);
      expect((await sql<{ timeout: number }>`pragma busy_timeout`.execute(db)).rows[0]?.timeout).toBe(5000);
      const before = await store.sizeBytes();
      for (let i = 0; i < 50; i++) await makeUser(store);
      expect(await store.sizeBytes()).toBeGreaterThan(before);
    } finally {
      await store.close();
    }
    // Data survives a reopen, and the schema is already current.
    const reopened = await createStore(loadConfig({ TESSERA_DATA_DIR: dataDir }));
    expect(await reopened.migrate()).toEqual([]);
    expect(await reopened.users.count()).toBe(50);
    await reopened.close();
  });

  it('accepts another filename, including :memory:', async () => {
    const store = await createStore(loadConfig({ TESSERA_DATA_DIR: dir }), { filename: ':memory:' });
    expect(await store.migrate()).toEqual(Object.keys(MIGRATIONS));
    await makeUser(store);
    expect(await store.users.count()).toBe(1);
    expect(await store.sizeBytes()).toBe(0);
    await store.close();
    await store.close(); // idempotent
  });
});

describeWith(['postgres'], 'createStore (scaled)', () => {
  it('chooses PostgreSQL when DATABASE_URL is set and migrates once', async () => {
    const database = await createTestDatabase();
    const store = await createStore(
      loadConfig({ DATABASE_URL: database.url, TESSERA_DATA_DIR: '/nonexistent/never-created' }),
    );
    try {
      expect(store.dialect).toBe('postgres');
      const [applied, again] = await Promise.all([store.migrate(), store.migrate()]);
      expect([...applied, ...again]).toEqual(Object.keys(MIGRATIONS));
      expect(existsSync('/nonexistent/never-created')).toBe(false);
      await store.ping();
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
