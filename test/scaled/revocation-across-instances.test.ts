import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { apiClient, newSession } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';

describeWith(['redis', 'postgres'], 'revocation across server processes sharing Redis + PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let apiA: ReturnType<typeof apiClient>;
  let apiB: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: uniquePrefix('revoke'),
      TESSERA_ADMIN_EMAIL: 'admin@example.test',
      TESSERA_ADMIN_PASSWORD: 'admin password 1',
    };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
    apiA = apiClient(a.url);
    apiB = apiClient(b.url);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  const validOn = async (api: ReturnType<typeof apiClient>, token: string) =>
    (await api('GET', '/v1/auth/session', undefined, { token })).status === 200;

  it('logout on A is seen by B within 1 s (B had the session in its L1)', async () => {
    const { token } = await newSession(apiA);
    for (let i = 0; i < 3; i += 1) expect(await validOn(apiB, token)).toBe(true);
    expect((await apiA('POST', '/v1/auth/logout', undefined, { token })).status).toBe(204);
    const took = await waitUntil(async () => !(await validOn(apiB, token)), 1000);
    expect(took).toBeLessThan(1000);
  });

  it('logout-all and password change on A reach B within 1 s', async () => {
    const s = await newSession(apiA);
    const other = (await apiB('POST', '/v1/auth/login', { email: s.email, password: 'correct horse battery staple' }))
      .body.token as string;
    expect(await validOn(apiB, s.token)).toBe(true);
    expect(await validOn(apiB, other)).toBe(true);
    expect((await apiA('POST', '/v1/auth/logout-all', undefined, { token: s.token })).status).toBe(204);
    await waitUntil(async () => !(await validOn(apiB, s.token)) && !(await validOn(apiB, other)), 1000);
  });

  it('a role change on A shows in the permissions B serves within 1 s', async () => {
    const admin = (await apiA('POST', '/v1/auth/login', { email: 'admin@example.test', password: 'admin password 1' }))
      .body.token as string;
    const s = await newSession(apiA);
    expect((await apiB('GET', '/v1/auth/session', undefined, { token: s.token })).body.user.roles).toEqual(['user']);
    expect(
      (await apiA('PUT', `/v1/admin/users/${s.userId}/roles`, { roles: ['user', 'support'] }, { token: admin })).status,
    ).toBe(200);
    await waitUntil(
      async () =>
        (await apiB('GET', '/v1/auth/session', undefined, { token: s.token })).body.user.roles.includes('support'),
      1000,
    );
  });

  it('a session opened on A validates on B from Redis (L2), not the database', async () => {
    const { token } = await newSession(apiA);
    await new Promise((r) => setTimeout(r, 100)); // L2 write-through is asynchronous
    const res = await apiB('GET', '/v1/auth/session', undefined, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('server-timing')).toMatch(/cache;desc="L2"/);
    expect(res.headers.get('x-db-queries')).toBe('0');
  });
});
