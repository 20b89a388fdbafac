import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { LoadTestService } from '../../../src/loadtest/service/service.js';
import { createStore } from '../../../src/store/create-store.js';
import type { Store } from '../../../src/store/types.js';
import { createTestDatabase, describeWith } from '../../helpers/services.js';
import { waitUntil } from '../../helpers/poll.js';
import { startTesseraFixture, type Fixture } from '../fixtures/tessera-fixture.js';

const silent = { info() {}, warn() {}, error() {} };
const SELF = { host: '127.0.0.1', port: 1 };

/** Two instances sharing one database: each lists the other's runs, and a stop asked on one reaches the other. */
function sharedSuite(open: () => Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }>): void {
  let fixture: Fixture;
  let stores: Store[] = [];
  let a: LoadTestService;
  let b: LoadTestService;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    fixture = await startTesseraFixture();
    const opened = await open();
    cleanup = opened.cleanup;
    stores = [await createStore(loadConfig(opened.env)), await createStore(loadConfig(opened.env))];
    await stores[0].migrate();
    const service = (store: Store, instanceId: string) =>
      new LoadTestService({
        repository: store.loadTests,
        allowHosts: [new URL(fixture.url).host],
        protectionEnabled: false,
        logger: silent,
        instanceId,
        threaded: false,
        heartbeatMs: 100,
      });
    a = service(stores[0], 'instance-a');
    b = service(stores[1], 'instance-b');
  });
  afterAll(async () => {
    await a?.close();
    for (const store of stores) await store.close();
    await cleanup?.();
    await fixture?.close();
  });

  it('lists a run of another instance with its progress, and stops it from there', async () => {
    const started = await a.start(
      { scenario: 'auth', rate: 2, duration: '30s', target: fixture.url, name: 'shared' },
      { self: SELF, createdBy: 'admin' },
    );
    expect(started).toMatchObject({ status: 'running', local: true });
    const seen = (await b.list()).find((r) => r.id === started.id);
    expect(seen).toMatchObject({ status: 'running', local: false, name: 'shared' });
    // The running instance's heartbeat carries a progress snapshot to the others.
    await waitUntil(
      async () => (await b.get(started.id)).progress !== null,
      10_000,
      'progress snapshot on the other instance',
    );
    const { run, ended } = await b.stop(started.id);
    expect(ended).toBe(true);
    expect(run).toMatchObject({ status: 'stopped', stopRequested: true, local: false });
    expect((await a.get(started.id)).status).toBe('stopped');
    expect((await b.report(started.id)).aborted).toBe('stopped by an admin');
  });

  it('a run whose instance died ends as error for everyone', async () => {
    const id = 'dead-instance-run';
    await stores[0].loadTests.insert({
      id,
      name: null,
      kind: 'scenario',
      preset: 'auth',
      params: {},
      target: fixture.url,
      status: 'running',
      instanceId: 'gone',
      createdBy: null,
      startedAt: Date.now() - 120_000,
      finishedAt: null,
      heartbeatAt: Date.now() - 60_000,
      stopRequestedAt: null,
      progress: null,
      grade: null,
      summary: null,
      error: null,
    });
    expect((await b.list()).find((r) => r.id === id)).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/instance running this load test stopped/),
    });
    expect((await a.get(id)).status).toBe('error');
  });
}

describeWith([], 'load tests on a shared SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-lt-shared-'));
  sharedSuite(async () => ({
    env: { TESSERA_DATA_DIR: dir },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  }));
});

describeWith(['postgres'], 'load tests on a shared PostgreSQL', () => {
  sharedSuite(async () => {
    const database = await createTestDatabase();
    return { env: { DATABASE_URL: database.url, DATABASE_POOL_MAX: '4' }, cleanup: database.drop };
  });
});
