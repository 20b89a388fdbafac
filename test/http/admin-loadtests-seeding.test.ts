import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';
import { DEFAULT_PASSWORD, userEmail } from '../../src/loadtest/types.js';

const ADMIN_EMAIL = 'lt-seed-admin@example.test';

/**
 * A run the server makes against itself seeds its accounts through its own user service: the signup limit (2 a
 * minute here) would otherwise refuse all but the first accounts and stop the run at seeding.
 */
describe('server-run load tests seed without the signup limit', () => {
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  let admin: string;

  beforeAll(async () => {
    t = await startTestTessera({
      TESSERA_ADMIN_EMAIL: ADMIN_EMAIL,
      TESSERA_ADMIN_PASSWORD: PASSWORD,
      RATE_LIMIT_SIGNUP_PER_MIN: '2',
    });
    api = apiClient(t.url);
    admin = (await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD })).body.token;
  });
  afterAll(async () => t?.stop());

  it('a scenario that seeds 8 accounts runs and every one of them can log in', async () => {
    const started = await api(
      'POST',
      '/v1/admin/loadtests',
      { scenario: 'mixed', vus: 8, duration: '2s' },
      { token: admin },
    );
    expect(started.status).toBe(202);
    let run: any;
    await waitUntil(
      async () => {
        run = (await api('GET', `/v1/admin/loadtests/${started.body.run.id}`, undefined, { token: admin })).body.run;
        return run.status !== 'running';
      },
      60_000,
      'the load test to end',
    );
    expect(run.error).toBeNull();
    expect(run.summary.metrics.http_reqs.values.count).toBeGreaterThan(0);
    // The accounts exist: the 8th logs in with the load tester's password.
    const login = await api('POST', '/v1/auth/login', { email: userEmail(8), password: DEFAULT_PASSWORD });
    expect(login.status).toBe(200);
  });
});
