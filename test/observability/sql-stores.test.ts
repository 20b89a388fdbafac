import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { viewOf } from '../../src/observability/aggregate.js';
import { AlertEvaluator } from '../../src/observability/alerts/evaluator.js';
import { AlertsService } from '../../src/observability/alerts/service.js';
import { SqlAlertStore } from '../../src/observability/alerts/store.js';
import type { AlertNotification } from '../../src/observability/alerts/types.js';
import { History } from '../../src/observability/history.js';
import { SqlHistoryStore } from '../../src/observability/history-store-sql.js';
import { Recorder } from '../../src/observability/recorder.js';
import { createStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, describeWith } from '../helpers/services.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function sqlSuite(name: string, open: () => Promise<{ store: Store; cleanup: () => Promise<void> }>) {
  describe(`observability state in ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let db: Kysely<any>;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      await store.migrate();
      db = (store as Store & { db: Kysely<any> }).db;
    });
    afterAll(async () => {
      await store.close();
      await cleanup();
    });

    it('history: two instances merge into one view; minutes outside retention are pruned', async () => {
      let now = T0 + 1_000;
      const clock = () => now;
      const make = (id: string) => {
        const recorder = new Recorder({ now: clock });
        return {
          recorder,
          history: new History({
            recorder,
            store: new SqlHistoryStore(db, 3_600_000),
            instanceId: id,
            retentionMs: 3_600_000,
            now: clock,
          }),
        };
      };
      const a = make('a');
      const b = make('b');
      now += 60_000;
      for (let i = 0; i < 7; i++) a.recorder.request(2, 200);
      for (let i = 0; i < 3; i++) b.recorder.request(4, 503);
      await a.history.tick();
      await b.history.tick();
      const live = viewOf(await b.history.live());
      expect(live).toMatchObject({ requests: 10, errors: 3, instances: 2 });
      now += 61_000;
      await a.history.tick();
      await b.history.tick();
      const points = (await a.history.history(5 * 60_000)).filter((p) => p.requests > 0);
      expect(points).toHaveLength(1);
      expect(points[0]).toMatchObject({ requests: 10, errors: 3, instances: 2 });
      // Two hours later the old minute is gone.
      now += 2 * 3_600_000;
      a.recorder.request(1, 200);
      now += 61_000;
      await a.history.tick();
      const old = await new SqlHistoryStore(db, 3_600_000).readMinutes(0, T0 + 3 * 60_000);
      expect(old.size).toBe(0);
    });

    it('alerts: shared state and rules, fired once across evaluators', async () => {
      const sent: AlertNotification[] = [];
      const channel = { name: 't', send: async (n: AlertNotification) => void sent.push(n) };
      const rules = async () => [
        { name: 'Hot', expr: 'p99_ms', op: '>' as const, threshold: 1, forMs: 0, severity: 'critical' as const },
      ];
      const evaluators = ['x', 'y'].map(
        (id) =>
          new AlertEvaluator({
            store: new SqlAlertStore(db),
            rules,
            signals: async () => ({ p99_ms: 5 }),
            channels: [channel],
            lock: store.locks,
            instanceId: id,
            intervalMs: 60_000,
          }),
      );
      for (const ev of evaluators) await ev.tick();
      for (const ev of evaluators) await ev.tick();
      expect(sent).toHaveLength(1);
      const other = new AlertsService({ store: new SqlAlertStore(db), defaultRules: [], channels: [] });
      const [alert] = await other.list('firing');
      await other.acknowledge(alert.id, 'someone');
      expect((await new SqlAlertStore(db).get(alert.id))!.acknowledgedBy).toBe('someone');
      await other.setRules([{ name: 'R', expr: 'error_rate', op: '>', threshold: 0.5 }]);
      expect((await new SqlAlertStore(db).getRules())!.map((r) => r.name)).toEqual(['R']);
    });
  });
}

sqlSuite('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-obs-sql-'));
  return {
    store: await createStore(loadConfig({ TESSERA_DATA_DIR: dir })),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeWith(['postgres'], 'PostgreSQL', () => {
  sqlSuite('PostgreSQL', async () => {
    const database = await createTestDatabase();
    return { store: await createStore(loadConfig({ DATABASE_URL: database.url })), cleanup: database.drop };
  });
});
