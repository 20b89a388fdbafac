import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeWith, DATABASE_URL } from '../helpers/services.js';
import { startServerProcess } from '../helpers/server-process.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { apiClient, uniqueEmail } from '../helpers/tessera.js';
import { tempDir } from '../cli/run-cli.js';

const started: Array<{ stop: () => Promise<unknown> }> = [];
afterAll(async () => {
  for (const s of started.reverse()) await s.stop();
});

const PASSWORD = 'Pw-first-9f3a7c1e';
const NEW_PASSWORD = 'Pw-second-4b8d2e6a';
const WRONG_PASSWORD = 'Pw-wrong-7c5e1a9b';

/** Every form a token could take in a log line: whole, without its prefix, and its raw bytes as hex/base64. */
function tokenForms(token: string): string[] {
  const body = token.slice(4);
  const bytes = Buffer.from(body.slice(0, 43), 'base64url'); // the 256 random bits, without the checksum
  return [token, body, bytes.toString('hex'), bytes.toString('base64')];
}

function expectNoSecrets(output: string, secrets: string[]): void {
  for (const secret of secrets) {
    if (output.includes(secret))
      throw new Error(
        `a secret appears in the logs: ${secret.slice(0, 12)}… in\n${output.split('\n').find((l) => l.includes(secret))}`,
      );
  }
}

/** Signup, login, validation by bearer and cookie, refresh, wrong password, password change, logout-all, logout. */
async function fullFlow(url: string): Promise<string[]> {
  const api = apiClient(url);
  const email = uniqueEmail('logs');
  expect((await api('POST', '/v1/auth/signup', { email, password: PASSWORD })).status).toBe(201);
  const login = await api('POST', '/v1/auth/login', { email, password: PASSWORD });
  expect(login.status).toBe(200);
  const token = login.body.token as string;
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
  expect((await api('GET', '/v1/auth/session', undefined, { headers: { cookie } })).status).toBe(200);
  const refreshed = await api('POST', '/v1/auth/session/refresh', undefined, { token });
  expect(refreshed.status).toBe(200);
  const token2 = refreshed.body.token as string;
  expect((await api('POST', '/v1/auth/login', { email, password: WRONG_PASSWORD })).status).toBe(401);
  const other = (await api('POST', '/v1/auth/login', { email, password: PASSWORD })).body.token as string;
  expect(
    (
      await api(
        'POST',
        '/v1/auth/password',
        { currentPassword: WRONG_PASSWORD, newPassword: NEW_PASSWORD },
        { token: token2 },
      )
    ).status,
  ).toBe(401);
  expect(
    (
      await api(
        'POST',
        '/v1/auth/password',
        { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        { token: token2 },
      )
    ).status,
  ).toBe(204);
  expect((await api('GET', '/v1/auth/session', undefined, { token: other })).status).toBe(401);
  // Bad requests that carry secrets: a body that is not JSON, a token that is unknown, a body too large.
  expect((await api('POST', '/v1/auth/login', `{"email":"${email}","password":"${NEW_PASSWORD}"`)).status).toBe(400);
  expect(
    (await api('POST', '/v1/auth/login', { email, password: NEW_PASSWORD, extra: 'x'.repeat(70_000) })).status,
  ).toBe(413);
  const third = (await api('POST', '/v1/auth/login', { email, password: NEW_PASSWORD })).body.token as string;
  expect((await api('POST', '/v1/auth/logout-all', undefined, { token: third })).status).toBe(204);
  expect((await api('POST', '/v1/auth/logout', undefined, { token: token2 })).status).toBe(401);
  return [token, token2, other, third, cookie.split('=')[1]];
}

describe('logs at LOG_LEVEL=debug (embedded)', () => {
  it('hold no token, cookie value or password through a whole session flow', async () => {
    const server = await startServerProcess({ TESSERA_DATA_DIR: tempDir('logs'), LOG_LEVEL: 'debug' });
    started.push(server);
    const tokens = await fullFlow(server.url);
    expect(await server.stop('SIGTERM')).toBe(0);
    const output = server.output();
    expect(output).toContain('"tessera listening"'); // the logs were captured at all
    expect(output).toContain('"shutting down: draining requests, stopping jobs, closing pools"');
    expectNoSecrets(output, [...tokens.flatMap(tokenForms), PASSWORD, NEW_PASSWORD, WRONG_PASSWORD]);
    for (const line of output.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow(); // JSON lines only
  });
});

describeWith(
  ['postgres'],
  'dependency errors in the logs (private Redis with a password, PostgreSQL behind a proxy)',
  () => {
    it('are logged, without the Redis password, the database password, tokens or passwords', async () => {
      const REDIS_SECRET = 'redis-secret-5e2c8a';
      const DB_SECRET = 'db-secret-1f7b3d';
      const redis: OwnRedis = await startRedisServer(['--requirepass', REDIS_SECRET]);
      started.push(redis);
      const db = await createTestDatabase();
      started.push({ stop: db.drop });
      const proxy: TcpProxy = await startTcpProxy(
        Number(new URL(DATABASE_URL).port || 5432),
        new URL(DATABASE_URL).hostname,
      );
      started.push({ stop: () => proxy.close() });
      // Trust authentication ignores the password, so it can be a marker we look for in the logs.
      const dbUrl = new URL(db.url);
      dbUrl.password = DB_SECRET;
      dbUrl.port = String(proxy.port);
      const server = await startServerProcess({
        DATABASE_URL: dbUrl.toString(),
        REDIS_URL: `redis://:${REDIS_SECRET}@127.0.0.1:${redis.port}`,
        LOG_LEVEL: 'debug',
        REDIS_TIMEOUT: '100ms',
        DATABASE_TIMEOUT: '1s',
        TESSERA_ADMIN_EMAIL: 'admin@example.test',
        TESSERA_ADMIN_PASSWORD: PASSWORD,
      });
      started.push(server);
      const api = apiClient(server.url);
      const tokens = await fullFlow(server.url);
      const login = await api('POST', '/v1/auth/login', { email: 'admin@example.test', password: PASSWORD });
      tokens.push(login.body.token);

      await redis.stop(); // Redis gone: validation falls back to the database
      for (let i = 0; i < 10; i += 1)
        expect((await api('GET', '/v1/auth/session', undefined, { token: login.body.token })).status).toBe(200);
      const deadline = Date.now() + 5000; // ioredis reports its failed reconnects on its own schedule
      while (!server.output().includes('"redis connection error"') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      proxy.cut(); // database gone: logins answer 503
      const down = await api('POST', '/v1/auth/login', { email: 'admin@example.test', password: PASSWORD });
      expect(down.status).toBe(503);
      proxy.restore();

      expect(await server.stop('SIGTERM')).toBe(0);
      const output = server.output();
      expect(output).toMatch(/"dependency unavailable"/);
      expect(output).toMatch(/"redis connection error"/);
      expectNoSecrets(output, [
        ...tokens.flatMap(tokenForms),
        PASSWORD,
        NEW_PASSWORD,
        WRONG_PASSWORD,
        REDIS_SECRET,
        DB_SECRET,
      ]);
    });
  },
);
