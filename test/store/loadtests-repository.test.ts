import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadTestRunRecord, Store } from '../../src/store/types.js';
import { describeWith } from '../helpers/services.js';
import { postgresFactory, sqliteFactory, type StoreFactory, type StoreFixture } from './factories.js';
import { T0 } from './fixtures.js';
import { indexNames } from './introspect.js';

const run = (overrides: Partial<LoadTestRunRecord> = {}): LoadTestRunRecord => ({
  id: randomUUID(),
  name: null,
  kind: 'scenario',
  preset: 'auth/smoke',
  params: { scenario: 'auth', profile: 'smoke', durationMs: 1000 },
  target: 'http://127.0.0.1:3000/',
  status: 'running',
  instanceId: 'instance-a',
  createdBy: 'admin@example.test',
  startedAt: T0,
  finishedAt: null,
  heartbeatAt: T0,
  stopRequestedAt: null,
  progress: null,
  grade: null,
  summary: null,
  error: null,
  ...overrides,
});

function loadTestsSuite(factory: StoreFactory): void {
  let fixture: StoreFixture;
  const store = (): Store => fixture.store;
  beforeAll(async () => {
    fixture = await factory.create();
  });
  afterAll(() => fixture?.dispose());

  it('migration 0101 creates the tables and their indexes', async () => {
    expect(await indexNames(store())).toEqual(
      expect.arrayContaining([
        'loadtest_runs_started_at_idx',
        'loadtest_runs_status_idx',
        'loadtest_baselines_created_at_idx',
      ]),
    );
  });

  it('records a run, lists runs newest first, and keeps the report apart', async () => {
    const repo = store().loadTests;
    const older = run({ startedAt: T0 - 10_000, name: 'older' });
    const newer = run({
      startedAt: T0,
      params: { suite: 'basic', nested: { a: [1, 2] } },
      kind: 'suite',
      preset: 'suite/basic',
    });
    await repo.insert(older);
    await repo.insert(newer);
    expect(await repo.get(newer.id)).toEqual(newer);
    expect((await repo.list(10)).map((r) => r.id)).toEqual([newer.id, older.id]);
    expect(await repo.list(1)).toHaveLength(1);
    expect(await repo.get('missing')).toBeUndefined();
    expect(await repo.report(newer.id)).toBeUndefined();

    await repo.finish(older.id, {
      status: 'passed',
      finishedAt: T0 + 1,
      grade: 'A',
      summary: { metrics: { http_reqs: { values: { count: 3 } } } },
      error: null,
      report: '{"tool":"tessera loadtest"}',
    });
    expect(await repo.get(older.id)).toMatchObject({
      status: 'passed',
      finishedAt: T0 + 1,
      grade: 'A',
      summary: { metrics: { http_reqs: { values: { count: 3 } } } },
    });
    expect(await repo.report(older.id)).toBe('{"tool":"tessera loadtest"}');
    // A run ends once: a late finish (a stale sweep raced it) changes nothing.
    await repo.finish(older.id, {
      status: 'error',
      finishedAt: T0 + 2,
      grade: null,
      summary: null,
      error: 'late',
      report: null,
    });
    expect((await repo.get(older.id))!.status).toBe('passed');
  });

  it('heartbeats carry progress; a stop asked for anywhere reaches the running instance', async () => {
    const repo = store().loadTests;
    const r = run();
    await repo.insert(r);
    expect(await repo.heartbeat(r.id, T0 + 2000, { percent: 40, reqs: 12 })).toEqual({ stopRequested: false });
    expect(await repo.get(r.id)).toMatchObject({ heartbeatAt: T0 + 2000, progress: { percent: 40, reqs: 12 } });
    expect(await repo.requestStop(r.id, T0 + 2500)).toBe(true);
    expect(await repo.requestStop(r.id, T0 + 2600)).toBe(true);
    expect((await repo.get(r.id))!.stopRequestedAt).toBe(T0 + 2500);
    expect(await repo.heartbeat(r.id, T0 + 4000, null)).toEqual({ stopRequested: true });
    await repo.finish(r.id, {
      status: 'stopped',
      finishedAt: T0 + 5000,
      grade: 'B',
      summary: {},
      error: null,
      report: '{}',
    });
    expect(await repo.get(r.id)).toMatchObject({ status: 'stopped', progress: null });
    expect(await repo.requestStop(r.id, T0 + 6000)).toBe(false);
    expect(await repo.requestStop('missing', T0)).toBe(false);
  });

  it('ends runs whose instance stopped heart-beating', async () => {
    const repo = store().loadTests;
    const dead = run({ heartbeatAt: T0 - 60_000 });
    const alive = run({ heartbeatAt: T0 });
    await repo.insert(dead);
    await repo.insert(alive);
    expect(await repo.markStale(T0 - 30_000, T0, 'gone')).toBe(1);
    expect(await repo.get(dead.id)).toMatchObject({ status: 'error', error: 'gone', finishedAt: T0 });
    expect((await repo.get(alive.id))!.status).toBe('running');
    await repo.finish(alive.id, {
      status: 'passed',
      finishedAt: T0,
      grade: 'A',
      summary: {},
      error: null,
      report: '{}',
    });
  });

  it('keeps the newest runs (never a running one) and the newest baselines', async () => {
    const repo = store().loadTests;
    for (const r of await repo.list(1000))
      if (r.status === 'running')
        await repo.finish(r.id, {
          status: 'error',
          finishedAt: T0,
          grade: null,
          summary: null,
          error: 'x',
          report: null,
        });
    const oldRunning = run({ startedAt: T0 - 1_000_000 });
    await repo.insert(oldRunning);
    for (let i = 0; i < 5; i++) {
      const r = run({ startedAt: T0 + 1_000 + i });
      await repo.insert(r);
      await repo.finish(r.id, {
        status: 'passed',
        finishedAt: T0 + 2_000,
        grade: 'A',
        summary: {},
        error: null,
        report: `{"i":${i}}`,
      });
    }
    const before = (await repo.list(1000)).length;
    expect(await repo.prune(3)).toBe(before - 3 - 1);
    const left = await repo.list(1000);
    expect(left.map((r) => r.startedAt).slice(0, 3)).toEqual([T0 + 1_004, T0 + 1_003, T0 + 1_002]);
    expect(left.map((r) => r.id)).toContain(oldRunning.id);

    const [a, b, c] = left;
    expect(await repo.saveBaseline({ runId: a.id, name: 'first', createdAt: T0, report: '{"i":4}' })).toBe(true);
    expect(await repo.saveBaseline({ runId: a.id, name: 'again', createdAt: T0 + 1, report: '{}' })).toBe(false);
    expect(await repo.baseline(a.id)).toEqual({ runId: a.id, name: 'first', createdAt: T0, report: '{"i":4}' });
    await repo.saveBaseline({ runId: b.id, name: 'second', createdAt: T0 + 10, report: '{}' });
    await repo.saveBaseline({ runId: c.id, name: 'third', createdAt: T0 + 20, report: '{}' });
    expect(await repo.baselineIds([a.id, b.id, 'nope'])).toEqual(new Set([a.id, b.id]));
    expect(await repo.baselineIds([])).toEqual(new Set());
    expect(await repo.pruneBaselines(2)).toBe(1);
    expect(await repo.baseline(a.id)).toBeUndefined();
    // A baseline is a copy: it outlives the run it came from.
    await repo.prune(0);
    expect(await repo.get(c.id)).toBeUndefined();
    expect((await repo.baseline(c.id))!.name).toBe('third');
  });
}

const factories: Array<{ factory: StoreFactory; needs: Array<'postgres'> }> = [
  { factory: sqliteFactory, needs: [] },
  { factory: postgresFactory, needs: ['postgres'] },
];

for (const { factory, needs } of factories) {
  describeWith(needs, `load-test runs in the store (${factory.dialect})`, () =>
    describe('loadTests repository', () => loadTestsSuite(factory)),
  );
}
