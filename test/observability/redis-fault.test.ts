import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { closeRedisConnection, createRedisConnection, type RedisConnection } from '../../src/cache/index.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { describeWith } from '../helpers/services.js';
import { ADMIN_TOKEN, fetchJson as fetch, startHarness } from './harness.js';

describeWith(['redis'], 'observability with Redis gone', () => {
  let own: OwnRedis;
  let redis: RedisConnection;
  let h: Awaited<ReturnType<typeof startHarness>>;
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  beforeAll(async () => {
    own = await startRedisServer();
    redis = createRedisConnection(loadConfig({ REDIS_URL: own.url, REDIS_TIMEOUT: '200ms' }), 'command', {
      onError: () => {},
    });
    h = await startHarness({ redis });
  });
  afterAll(async () => {
    await h.close();
    await closeRedisConnection(redis);
    await own.stop();
  });

  it('summary and history keep answering from this instance; alerts answer 503, never 500', async () => {
    for (let i = 0; i < 5; i++) await fetch(`${h.url}/v1/auth/session`);
    await h.obs.history!.tick();
    expect((await fetch(`${h.url}/v1/admin/alerts`, { headers: admin })).status).toBe(200);
    await own.stop();
    const summary = await fetch(`${h.url}/v1/admin/metrics/summary`, { headers: admin });
    expect(summary.status).toBe(200);
    expect((await summary.json()).requestsPerSec).toBeGreaterThan(0);
    const history = await fetch(`${h.url}/v1/admin/metrics/history?window=5m`, { headers: admin });
    expect(history.status).toBe(200);
    const alerts = await fetch(`${h.url}/v1/admin/alerts`, { headers: admin });
    expect(alerts.status).toBe(503);
    expect((await alerts.json()).error.code).toBe('unavailable');
    expect(await h.obs.evaluator!.tick()).toBe(true); // the local lease holds; the evaluation error is logged, not thrown
  });
});
