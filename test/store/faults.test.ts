import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { DependencyError } from '../../src/errors/index.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/types.js';
import { DATABASE_URL, createTestDatabase, describeWith } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { T0, makeUser, sessionFor } from './fixtures.js';

async function eventually(check: () => Promise<unknown>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describeWith(['postgres'], 'store faults (postgres)', () => {
  let proxy: TcpProxy;
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const real = new URL(database.url);
    proxy = await startTcpProxy(Number(real.port || 5432), real.hostname);
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    store = await createStore(
      loadConfig({ DATABASE_URL: viaProxy.toString(), DATABASE_POOL_MAX: '2', DATABASE_TIMEOUT: '1s' }),
    );
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    await proxy?.close();
    await drop?.();
  });

  it('surfaces a cut connection as DependencyError and recovers by itself', async () => {
    const user = await makeUser(store);
    await store.ping();

    proxy.cut();
    await expect(store.ping()).rejects.toBeInstanceOf(DependencyError);
    const lookup = store.users.findById(user.id);
    await expect(lookup).rejects.toBeInstanceOf(DependencyError);
    await expect(lookup).rejects.toMatchObject({ code: 'unavailable', status: 503, dependency: 'database' });
    await expect(store.sessions.findByTokenHash('x')).rejects.toBeInstanceOf(DependencyError);

    proxy.restore();
    await eventually(() => store.ping());
    expect(await store.users.findById(user.id)).toMatchObject({ id: user.id });
  });

  it('keeps constraint violations as their own errors', async () => {
    // A session for a user that does not exist breaks the foreign key: a bug, not an outage.
    const orphan = store.sessions.insert(sessionFor('00000000-0000-0000-0000-000000000000'));
    await expect(orphan).rejects.toThrow();
    await expect(orphan).rejects.not.toBeInstanceOf(DependencyError);
  });

  it('reports the database size', async () => {
    expect(await store.sizeBytes()).toBeGreaterThan(1_000_000);
  });

  it('targets the configured server', () => {
    expect(DATABASE_URL).toMatch(/^postgres/);
    expect(store.dialect).toBe('postgres');
  });
});

describe('store faults (sqlite)', () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tessera-faults-'));
    store = await createStore(loadConfig({ TESSERA_DATA_DIR: dir, DATABASE_TIMEOUT: '100ms' }));
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('surfaces a write lock held past the busy timeout as DependencyError, then recovers', async () => {
    const other = new SqliteDatabase(path.join(dir, 'tessera.db'));
    try {
      other.exec('begin exclusive');
      const write = makeUser(store);
      await expect(write).rejects.toBeInstanceOf(DependencyError);
      await expect(write).rejects.toMatchObject({
        cause: expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) }),
      });
      other.exec('rollback');
      await expect(makeUser(store)).resolves.toMatchObject({ tenant: 'default' });
    } finally {
      other.close();
    }
  });

  it('keeps constraint violations as their own errors', async () => {
    const user = await makeUser(store);
    const session = sessionFor(user.id);
    await store.sessions.insert(session);
    const duplicate = store.sessions.insert({ ...session, tokenHash: 'another' });
    await expect(duplicate).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    const orphan = store.sessions.insert(sessionFor('missing-user'));
    await expect(orphan).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    await expect(store.sessions.findById(session.id)).resolves.toMatchObject({ createdAt: T0 });
  });
});
