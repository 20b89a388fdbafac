import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { eventually } from './harness.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';

describeWith(['redis', 'postgres'], 'two app instances sharing Redis + PostgreSQL: one observability view', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestTessera;
  let b: TestTessera;
  const ADMIN = 'scaled-admin@example.test';
  const prefix = uniquePrefix('obs-scaled');

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      TESSERA_ADMIN_EMAIL: ADMIN,
      TESSERA_ADMIN_PASSWORD: PASSWORD,
      ALERT_EVAL_INTERVAL: '1h',
    };
    a = await startTestTessera(env);
    b = await startTestTessera(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    await deleteRedisPrefix(REDIS_URL, prefix);
  });

  it("the summary on B counts A's traffic; rules set on A apply on B; an alert fires once and both see it", async () => {
    const apiA = apiClient(a.url);
    const apiB = apiClient(b.url);
    const token = (await apiB('POST', '/v1/auth/login', { email: ADMIN, password: PASSWORD })).body.token as string;
    const user = await newSession(apiA);
    for (let i = 0; i < 30; i++) await apiA('GET', '/v1/auth/session', undefined, { token: user.token });

    const summary = await eventually(
      async () => {
        const s = (await apiB('GET', '/v1/admin/metrics/summary', undefined, { token })).body;
        return s.instances === 2 && s.requestsPerSec * s.windowSec >= 30 ? s : undefined;
      },
      8_000,
      250,
    );
    expect(summary.cacheHitRate.l1).toBeGreaterThan(0.5);

    const put = await apiA(
      'PUT',
      '/v1/admin/alerts/rules',
      { rules: [{ name: 'Busy', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'info' }] },
      { token },
    );
    expect(put.status).toBe(200);
    expect(
      (await apiB('GET', '/v1/admin/alerts/rules', undefined, { token })).body.rules.map(
        (r: { name: string }) => r.name,
      ),
    ).toEqual(['Busy']);
    const ran = [await a.runtime.observability.evaluator!.tick(), await b.runtime.observability.evaluator!.tick()];
    expect(ran.filter(Boolean)).toHaveLength(1);
    for (const api of [apiA, apiB]) {
      const firing = (await api('GET', '/v1/admin/alerts?state=firing', undefined, { token })).body.alerts;
      expect(firing).toHaveLength(1);
      expect(firing[0].rule).toBe('Busy');
    }
  });
});
