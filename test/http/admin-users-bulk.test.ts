import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';

let server: TestTessera;
let api: ReturnType<typeof apiClient>;
let adminToken: string;

beforeAll(async () => {
  // Real signup limit (10 a minute per address): bulk creation must not be subject to it.
  server = await startTestTessera({
    TESSERA_ADMIN_EMAIL: 'bulk-admin@example.test',
    TESSERA_ADMIN_PASSWORD: 'admin password 1',
    RATE_LIMIT_SIGNUP_PER_MIN: '10',
  });
  api = apiClient(server.url);
  const login = await api('POST', '/v1/auth/login', { email: 'bulk-admin@example.test', password: 'admin password 1' });
  adminToken = login.body.token;
});
afterAll(() => server.stop());

const users = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    email: `bulk-${from + i}@example.test`,
    password: 'Passw0rd-bulk',
  }));

describe('POST /v1/admin/users/bulk', () => {
  it('creates more accounts than the signup limit allows, counts existing ones, and they can log in', async () => {
    const first = await api('POST', '/v1/admin/users/bulk', { users: users(1, 30) }, { token: adminToken });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ created: 30, existing: 0 });
    const again = await api('POST', '/v1/admin/users/bulk', { users: users(25, 40) }, { token: adminToken });
    expect(again.body).toEqual({ created: 10, existing: 6 });
    const login = await api('POST', '/v1/auth/login', { email: 'bulk-37@example.test', password: 'Passw0rd-bulk' });
    expect(login.status).toBe(200);
    expect(login.body.user.roles).toEqual(['user']);
  });

  it('401 without a session, 403 without the admin role', async () => {
    expect((await api('POST', '/v1/admin/users/bulk', { users: users(50, 50) })).status).toBe(401);
    const { token } = await newSession(api);
    const res = await api('POST', '/v1/admin/users/bulk', { users: users(50, 50) }, { token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('refuses a bad entry with 400 before creating any account', async () => {
    const res = await api(
      'POST',
      '/v1/admin/users/bulk',
      { users: [...users(60, 61), { email: 'bad\u200b@example.test', password: 'Passw0rd-bulk' }] },
      { token: adminToken },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const found = await api('GET', '/v1/admin/users?email=bulk-60@example.test', undefined, { token: adminToken });
    expect(found.body.users).toEqual([]);
  });

  it('any body gets a 200 or a 4xx in the one error shape, never a 5xx', async () => {
    const entry = fc.record(
      {
        email: fc.oneof(fc.string(), fc.emailAddress(), fc.integer()),
        password: fc.oneof(fc.string(), fc.constant(null)),
        roles: fc.array(fc.string(), { maxLength: 3 }),
        extra: fc.string(),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.record({ users: fc.array(entry, { maxLength: 4 }) }),
      fc.jsonValue(),
      fc.record({ users: fc.constant([]) }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await api('POST', '/v1/admin/users/bulk', b, { token: adminToken });
        expect(res.status).toBeLessThan(500);
        if (res.status !== 200) expect(typeof res.body.error.code).toBe('string');
      }),
      { numRuns: 40 },
    );
  });
});
