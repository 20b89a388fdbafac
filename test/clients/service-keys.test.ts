import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { runCli } from '../cli/run-cli.js';
import { openStream } from './sse-reader.js';
import { waitUntil } from '../helpers/poll.js';

let server: TestTessera;
let api: ReturnType<typeof apiClient>;
let adminToken: string;

beforeAll(async () => {
  server = await startTestTessera({
    TESSERA_ADMIN_EMAIL: 'root@example.test',
    TESSERA_ADMIN_PASSWORD: 'admin password 1',
  });
  api = apiClient(server.url);
  adminToken = (await api('POST', '/v1/auth/login', { email: 'root@example.test', password: 'admin password 1' })).body
    .token;
});
afterAll(() => server.stop());

const createKey = async (name: string): Promise<{ key: string; id: string }> => {
  const res = await api('POST', '/v1/admin/service-keys', { name }, { token: adminToken });
  expect(res.status).toBe(201);
  return { key: res.body.key, id: res.body.serviceKey.id };
};

describe('service keys', () => {
  it('are created once (tsk_, stored hashed), listed without the key, revoked; both audited', async () => {
    const { key, id } = await createKey('billing-api');
    expect(key).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
    const rows = await server.runtime.store.db.selectFrom('service_keys').selectAll().where('id', '=', id).execute();
    expect(JSON.stringify(rows)).not.toContain(key);
    const list = await api('GET', '/v1/admin/service-keys', undefined, { token: adminToken });
    expect(list.body.serviceKeys.find((k: { id: string }) => k.id === id)).toMatchObject({
      name: 'billing-api',
      prefix: key.slice(0, 8),
      revokedAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(key);
    const created = await server.runtime.store.audit.query({ type: 'service_key_created', limit: 5 });
    expect(created[0].details).toMatchObject({ serviceKeyId: id, name: 'billing-api' });

    const stream = await openStream(server.url, key);
    expect(stream.response.status).toBe(200);
    await stream.close();
    const revoked = await api('DELETE', `/v1/admin/service-keys/${id}`, undefined, { token: adminToken });
    expect(revoked.status).toBe(200);
    expect(revoked.body.serviceKey.revokedAt).not.toBeNull();
    expect(
      (await server.runtime.store.audit.query({ type: 'service_key_revoked', limit: 5 }))[0].details,
    ).toMatchObject({
      serviceKeyId: id,
    });
    const refused = await openStream(server.url, key);
    expect(refused.response.status).toBe(401);
    expect((await api('DELETE', '/v1/admin/service-keys/nope', undefined, { token: adminToken })).status).toBe(404);
  });

  it('admin only: 401 without a session, 403 for a user, and a service key is not a session', async () => {
    const { key } = await createKey('not-a-session');
    expect((await api('GET', '/v1/admin/service-keys')).status).toBe(401);
    const user = await newSession(api);
    expect((await api('GET', '/v1/admin/service-keys', undefined, { token: user.token })).status).toBe(403);
    for (const route of ['/v1/auth/session', '/v1/admin/service-keys', '/v1/auth/sessions'])
      expect((await api('GET', route, undefined, { token: key })).status).toBe(401);
  });

  it('bad service keys and bad Last-Event-IDs get a 4xx in the one error shape, never a stream', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 80 }), fc.constant('tsk_'), fc.stringMatching(/^tsk_[A-Za-z0-9_-]{43}$/)),
        async (header) => {
          const res = await fetch(`${server.url}/v1/sessions/revocations`, {
            headers: { authorization: `Bearer ${header.replace(/[^\x20-\x7e]/g, '')}` },
          });
          expect(res.status).toBe(401);
          const body = (await res.json()) as { error: { code: string; requestId: string } };
          expect(body.error.code).toBe('unauthenticated');
          expect(typeof body.error.requestId).toBe('string');
        },
      ),
      { numRuns: 40 },
    );
    const { key } = await createKey('bad-ids');
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^[0-9]{1,15}$/.test(s.trim())),
        async (id) => {
          const res = await fetch(`${server.url}/v1/sessions/revocations`, {
            headers: { authorization: `Bearer ${key}`, 'last-event-id': id.replace(/[^\x21-\x7e]/g, 'x') },
          });
          expect(res.status).toBe(400);
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('revoking a key ends the streams it opened', async () => {
    const { key, id } = await createKey('revoked-while-open');
    const stream = await openStream(server.url, key);
    await stream.next((e) => e.event === 'heartbeat');
    expect((await api('DELETE', `/v1/admin/service-keys/${id}`, undefined, { token: adminToken })).status).toBe(200);
    await waitUntil(() => stream.ended(), 7000, 'stream ended');
    await stream.close();
  });

  it('the CLI creates, lists and revokes keys in the same database', async () => {
    const env = { TESSERA_DATA_DIR: server.dataDir };
    const created = await runCli(['service-keys', 'create', 'cli-made'], { env });
    expect(created.code, created.stderr).toBe(0);
    const { key, serviceKey } = JSON.parse(created.stdout) as { key: string; serviceKey: { id: string } };
    expect(key).toMatch(/^tsk_/);
    const stream = await openStream(server.url, key);
    expect(stream.response.status).toBe(200);
    await stream.close();
    const listed = await runCli(['service-keys', 'list'], { env });
    expect(listed.stdout).toContain(serviceKey.id);
    expect(listed.stdout).not.toContain(key);
    const revoked = await runCli(['service-keys', 'revoke', serviceKey.id], { env });
    expect(revoked.code).toBe(0);
    expect((await runCli(['service-keys', 'revoke', 'no-such-id'], { env })).code).toBe(1);
    expect((await runCli(['service-keys', 'create', ''], { env })).code).toBe(2);
  }, 90_000); // six CLI processes: seconds each on a loaded machine
});

describe('GET /v1/sessions/revocations', () => {
  it('heartbeats at least every 300 ms, sends a revoke naming the session on logout, resumes by Last-Event-ID', async () => {
    const { key } = await createKey('stream');
    const stream = await openStream(server.url, key);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    await stream.next((e) => e.event === 'heartbeat');
    const start = stream.events.length;
    await new Promise((r) => setTimeout(r, 1000));
    const beats = stream.events.slice(start).filter((e) => e.event === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(3);

    const user = await newSession(api);
    const resumeFrom = stream.events.filter((e) => e.id !== undefined).at(-1)!.id!;
    expect((await api('POST', '/v1/auth/logout', undefined, { token: user.token })).status).toBe(204);
    const revoke = await stream.next((e) => e.event === 'revoke' && e.data.includes(user.sessionId), 1000);
    expect(revoke.id).toMatch(/^[0-9]+$/);
    await stream.close();

    const resumed = await openStream(server.url, key, resumeFrom);
    const replay = await resumed.next((e) => e.event === 'revoke');
    expect(JSON.parse(replay.data).sessions.map((s: { id: string }) => s.id)).toContain(user.sessionId);
    await resumed.close();
  });

  it('a gap that cannot be replayed (pruned log, or an id from elsewhere) is answered with flush', async () => {
    const { key } = await createKey('gap');
    const ahead = await openStream(server.url, key, '999999999');
    expect((await ahead.next((e) => e.event === 'flush')).data).toContain('gap');
    await ahead.close();
    await newSession(api).then((s) => api('POST', '/v1/auth/logout', undefined, { token: s.token }));
    await server.runtime.store.db.deleteFrom('session_changes').execute();
    await newSession(api).then((s) => api('POST', '/v1/auth/logout', undefined, { token: s.token }));
    const behind = await openStream(server.url, key, '0');
    expect((await behind.next((e) => e.event === 'flush')).event).toBe('flush');
    await behind.close();
  });
});
