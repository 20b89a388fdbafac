import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../cli/run-cli.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';

const ADMIN = { email: 'warm-admin@example.test', password: PASSWORD };
const tierOf = (headers: Headers) => /cache;desc="(\w+)"/.exec(headers.get('server-timing') ?? '')?.[1];

let server: TestTessera;
let api: ReturnType<typeof apiClient>;
let admin: string;

beforeAll(async () => {
  server = await startTestTessera({ TESSERA_ADMIN_EMAIL: ADMIN.email, TESSERA_ADMIN_PASSWORD: ADMIN.password });
  api = apiClient(server.url);
  admin = (await api('POST', '/v1/auth/login', ADMIN)).body.token;
});
afterAll(async () => {
  await server?.stop();
});

const flushed = async () =>
  expect((await api('DELETE', '/v1/admin/cache', undefined, { token: admin })).status).toBe(200);
const tier = async (token: string) => tierOf((await api('GET', '/v1/auth/session', undefined, { token })).headers);

describe('POST /v1/admin/cache/warm and tessera cache warm', () => {
  it('warms the given sessions and every live session of the given users (embedded: into L1)', async () => {
    const one = await newSession(api);
    const other = await newSession(api);
    const second = await api('POST', '/v1/auth/login', { email: other.email, password: PASSWORD });
    await flushed();
    const res = await api(
      'POST',
      '/v1/admin/cache/warm',
      { sessionIds: [one.sessionId], userIds: [other.userId] },
      { token: admin },
    );
    expect(res.status).toBe(200);
    expect(res.body.warm).toMatchObject({
      reason: 'request',
      warmed: 3,
      strategies: { explicit: 3 },
      tiers: { l1: { entries: 3 } },
    });
    expect([await tier(one.token), await tier(other.token), await tier(second.body.token)]).toEqual(['L1', 'L1', 'L1']);

    const stats = await api('GET', '/v1/admin/cache', undefined, { token: admin });
    expect(stats.body.warming.strategies.explicit).toMatchObject({ warmed: 3 });
  });

  it('without a body: one pass over every strategy', async () => {
    const user = await newSession(api);
    await flushed();
    const res = await api('POST', '/v1/admin/cache/warm', undefined, { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.warm.strategies).toMatchObject({ roles: expect.any(Number), active: expect.any(Number) });
    expect(res.body.warm.warmed).toBeGreaterThanOrEqual(2);
    expect(await tier(user.token)).toBe('L1');
  });

  it('bad bodies get 400 invalid_request in the one error shape, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
          fc.record(
            {
              sessionIds: fc.oneof(fc.jsonValue(), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 })),
              userIds: fc.oneof(fc.jsonValue(), fc.constant(['', 'x'])),
              extra: fc.jsonValue(),
            },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          const res = await api('POST', '/v1/admin/cache/warm', JSON.stringify(body), {
            token: admin,
            headers: { 'content-type': 'application/json' },
          });
          expect(res.status).toBeLessThan(500);
          if (res.status !== 200)
            expect(res.body.error).toMatchObject({ code: 'invalid_request', message: expect.any(String) });
        },
      ),
      { numRuns: 60 },
    );
    const tooMany = { sessionIds: Array.from({ length: 1001 }, (_, i) => `s${i}`) };
    expect((await api('POST', '/v1/admin/cache/warm', tooMany, { token: admin })).status).toBe(400);
  });

  it('tessera cache warm --ids FILE asks the running server; bad usage exits 2', async () => {
    const user = await newSession(api);
    await flushed();
    const dir = tempDir();
    const file = join(dir, 'ids.txt');
    await writeFile(file, `# popular sessions\n${user.sessionId}\nno-such-session\n`);
    const ok = await runCli(['cache', 'warm', '--ids', file, '--url', server.url, '--token', admin]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^warmed 1 session\(s\) for 2 ID\(s\)/);
    expect(await tier(user.token)).toBe('L1');

    const users = join(dir, 'users.json');
    await writeFile(users, JSON.stringify({ userIds: [user.userId] }));
    const viaEnv = await runCli(['cache', 'warm', '--ids', users, '--url', server.url], {
      env: { TESSERA_TOKEN: admin },
    });
    expect(viaEnv.stdout).toMatch(/^warmed 1 session\(s\) for 1 ID\(s\)/);

    expect((await runCli(['cache', 'warm', '--ids', join(dir, 'missing.txt'), '--token', 'x'])).code).toBe(2);
    expect((await runCli(['cache', 'warm', '--ids', file])).code).toBe(2); // no token
    const refused = await runCli(['cache', 'warm', '--ids', file, '--url', server.url, '--token', 'tss_not-a-token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401 unauthenticated/);
  });
});
