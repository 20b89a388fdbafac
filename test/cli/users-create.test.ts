import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { apiClient, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { lines, runCli, tempDir } from './run-cli.js';

const PASSWORD = 'cli admin password';

describe('tessera users create (embedded)', () => {
  const dataDir = tempDir('users');
  let server: TestTessera | undefined;
  afterAll(() => server?.stop());

  it('creates an admin who can log in through a started server and use the admin API', async () => {
    const created = await runCli(
      [
        'users',
        'create',
        '--email',
        '  Root@Example.TEST ',
        '--password',
        PASSWORD,
        '--role',
        'admin',
        '--name',
        'Root',
      ],
      { env: { TESSERA_DATA_DIR: dataDir } },
    );
    expect(created.code, created.stderr).toBe(0);
    const { user } = JSON.parse(created.stdout);
    expect(user).toMatchObject({
      email: 'root@example.test',
      name: 'Root',
      tenant: 'default',
      roles: ['user', 'admin'],
    });
    expect(created.stdout).not.toContain(PASSWORD);

    server = await startTestTessera({ TESSERA_DATA_DIR: dataDir });
    const api = apiClient(server.url);
    const login = await api('POST', '/v1/auth/login', { email: 'root@example.test', password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: user.id, roles: expect.arrayContaining(['admin']) });
    const admin = await api('GET', '/v1/admin/users?email=root', undefined, { token: login.body.token });
    expect(admin.status).toBe(200);
    expect(JSON.stringify(admin.body)).toContain(user.id);
  });

  it('without --role the user has only the "user" role and no admin access', async () => {
    const created = await runCli([
      'users',
      'create',
      '--email',
      'plain@example.test',
      '--password',
      PASSWORD,
      '--data-dir',
      dataDir,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).user.roles).toEqual(['user']);
    const api = apiClient(server!.url);
    const login = await api('POST', '/v1/auth/login', { email: 'plain@example.test', password: PASSWORD });
    expect((await api('GET', '/v1/admin/users', undefined, { token: login.body.token })).status).toBe(403);
  });

  it('a duplicate email exits non-zero with one clear line, and the first account is untouched', async () => {
    const dup = await runCli([
      'users',
      'create',
      '--email',
      'ROOT@example.test',
      '--password',
      'another password',
      '--data-dir',
      dataDir,
    ]);
    expect(dup.code).not.toBe(0);
    expect(dup.stdout).toBe('');
    expect(lines(dup.stderr)).toEqual(['tessera: An account with this email already exists.']);
    const api = apiClient(server!.url);
    expect((await api('POST', '/v1/auth/login', { email: 'root@example.test', password: PASSWORD })).status).toBe(200);
    expect(
      (await api('POST', '/v1/auth/login', { email: 'root@example.test', password: 'another password' })).status,
    ).toBe(401);
  });

  it('the same email in another tenant is a different account', async () => {
    const other = await runCli([
      'users',
      'create',
      '--email',
      'root@example.test',
      '--password',
      PASSWORD,
      '--tenant',
      'acme',
      '--data-dir',
      dataDir,
    ]);
    expect(other.code, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout).user).toMatchObject({ tenant: 'acme', roles: ['user'] });
  });
});

describeWith(['postgres'], 'tessera users create on a fresh PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('migrates, creates the admin, and a server on the same database lets it in', async () => {
    const created = await runCli(
      ['users', 'create', '--email', 'pgadmin@example.test', '--password', PASSWORD, '--role', 'admin'],
      { env: { DATABASE_URL: db.url } },
    );
    expect(created.code, created.stderr).toBe(0);
    const server = await startTestTessera({ DATABASE_URL: db.url });
    try {
      const login = await apiClient(server.url)('POST', '/v1/auth/login', {
        email: 'pgadmin@example.test',
        password: PASSWORD,
      });
      expect(login.status).toBe(200);
      expect(login.body.user.roles).toContain('admin');
    } finally {
      await server.stop();
    }
  });
});
