import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Observability, sessionStatsFromStore } from '../../src/observability/index.js';
import { createStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { eventually, silentLogger, testSettings } from './harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';

describeWith(['redis', 'postgres'], 'several instances share one view (Redis + PostgreSQL leases)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: Store;
  let redis: Redis;
  const prefix = uniquePrefix('obs-cluster');
  let receiver: WebhookReceiver<{ status: string; alert: { rule: string } }>;
  const hooks = () => receiver.received.map((r) => r.body);
  const instances: Observability[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    store = await createStore(loadConfig({ DATABASE_URL: db.url }));
    await store.migrate();
    redis = new Redis(REDIS_URL);
    receiver = await startWebhookReceiver('/alerts');
    const webhook = receiver.url;
    for (const id of ['i1', 'i2', 'i3']) {
      const obs = await Observability.create({
        settings: testSettings({ redisKeyPrefix: prefix, alertWebhook: webhook }),
        logger: silentLogger,
        redis,
        locks: store.locks,
        instanceId: id,
        sampleProcess: false,
        alertIntervalMs: 60_000,
      });
      obs.metrics.setSessionStatsSource(sessionStatsFromStore(store));
      instances.push(obs);
    }
  });
  afterAll(async () => {
    for (const obs of instances) await obs.stop();
    await receiver.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
    redis.disconnect();
    await store.close();
    await db.drop();
  });

  it('the summary merges every instance, and an alert fires once, seen by all', async () => {
    const [a, b, c] = instances as [Observability, Observability, Observability];
    for (let i = 0; i < 10; i++) a.metrics.httpRequest('/v1/auth/session', 'GET', 200, 0.002);
    for (let i = 0; i < 5; i++) b.metrics.httpRequest('/v1/auth/session', 'GET', 500, 0.004);
    for (const obs of instances) await obs.history!.tick();

    const summary = await c.summary();
    expect(summary.instances).toBe(3);
    expect(summary.errorRate).toBeCloseTo(5 / 15, 3);
    expect(summary.activeSessions).toBe(0);
    expect(summary.storeSizeBytes).toBeGreaterThan(0);

    await b.alerts.setRules([
      { name: 'ErrorsSeen', expr: 'error_rate', op: '>', threshold: 0.1, for: '0', severity: 'critical' },
    ]);
    const evaluated = [];
    for (let round = 0; round < 3; round++) for (const obs of instances) evaluated.push(await obs.evaluator!.tick());
    expect(evaluated.filter(Boolean).length).toBe(3); // one instance per round holds the lease
    await eventually(() => hooks().length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(hooks().filter((h) => h.status === 'firing')).toHaveLength(1);
    expect(hooks()[0].alert.rule).toBe('ErrorsSeen');
    for (const obs of instances) expect(await obs.alerts.list('firing')).toHaveLength(1);
  });
});
