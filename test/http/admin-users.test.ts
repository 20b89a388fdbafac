import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';

let server: TestTessera;
let api: ReturnType<typeof apiClient>;
let adminToken: string;

beforeAll(async () => {
  server = await startTestTessera({
    TESSERA_ADMIN_EMAIL: 'Root@Example.test',
    TESSERA_ADMIN_PASSWORD: 'admin password 1',
  });
  api = apiClient(server.url);
  const login = await api('POST', '/v1/auth/login', { email: 'root@example.test', password: 'admin password 1' });
  adminToken = login.body.token;
});
afterAll(() => server.stop());

describe('admin users', () => {
  it('TESSERA_ADMIN_EMAIL creates an admin at start', async () => {
    const me = await api('GET', '/v1/auth/session', undefined, { token: adminToken });
    expect(me.body.user.roles).toContain('admin');
    expect(me.body.user.permissions).toEqual(expect.arrayContaining(['users:read', 'users:write']));
  });

  it('401 without a session, 403 without the admin role', async () => {
    expect((await api('GET', '/v1/admin/users')).status).toBe(401);
    const { token } = await newSession(api);
    const res = await api('GET', '/v1/admin/users', undefined, { token });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });

  it('finds users by email and changes roles; the user sees new permissions at once', async () => {
    const user = await newSession(api);
    const before = await api('GET', '/v1/auth/session', undefined, { token: user.token });
    expect(before.body.user.roles).toEqual(['user']);
    const found = await api('GET', `/v1/admin/users?email=${encodeURIComponent(user.email)}`, undefined, {
      token: adminToken,
    });
    expect(found.status).toBe(200);
    expect(found.body.users.map((u: { id: string }) => u.id)).toEqual([user.userId]);
    const changed = await api(
      'PUT',
      `/v1/admin/users/${user.userId}/roles`,
      { roles: ['user', 'admin'] },
      { token: adminToken },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.user.roles).toEqual(expect.arrayContaining(['user', 'admin']));
    const after = await api('GET', '/v1/auth/session', undefined, { token: user.token });
    expect(after.body.user.roles).toEqual(expect.arrayContaining(['admin']));
    expect(after.body.user.permissions).toEqual(expect.arrayContaining(['users:read']));
    const audit = await server.runtime.store.audit.query({ type: 'roles_changed', limit: 5 });
    expect(audit[0]).toMatchObject({ userId: user.userId });
  });

  it('404 for an unknown user, 400 for bad roles', async () => {
    expect((await api('PUT', '/v1/admin/users/nobody/roles', { roles: ['user'] }, { token: adminToken })).status).toBe(
      404,
    );
    const bad = await api('PUT', '/v1/admin/users/nobody/roles', { roles: ['Bad Role!'] }, { token: adminToken });
    expect(bad.status).toBe(400);
  });
});
