import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';

const running: TestTessera[] = [];
async function start(env: Record<string, string> = {}, observer?: ReturnType<typeof dbOpCounter>['observer']) {
  const server = await startTestTessera(env, { observer });
  running.push(server);
  return { server, api: apiClient(server.url) };
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the real database operations the session core performs, by name (every store call is timed through this hook). */
function dbOpCounter() {
  const counts = new Map<string, number>();
  return {
    observer: { dbOp: (op: string) => counts.set(op, (counts.get(op) ?? 0) + 1) },
    count: (op: string) => counts.get(op) ?? 0,
  };
}

describe('expiry', () => {
  it('idle timeout: an unused session dies, a used one slides', async () => {
    const { api } = await start({ SESSION_IDLE_TTL: '1500ms', SESSION_ABSOLUTE_TTL: '1h' });
    const idle = await newSession(api);
    const active = await newSession(api);
    for (let i = 0; i < 5; i += 1) {
      await sleep(500);
      expect((await api('GET', '/v1/auth/session', undefined, { token: active.token })).status).toBe(200);
    }
    expect((await api('GET', '/v1/auth/session', undefined, { token: idle.token })).status).toBe(401);
  });

  it('absolute lifetime never moves, however active the session', async () => {
    const { api } = await start({ SESSION_IDLE_TTL: '1s', SESSION_ABSOLUTE_TTL: '2s' });
    const { token, login } = await newSession(api);
    const expiresAt = Date.parse(login.body.expiresAt);
    let last = 200;
    while (Date.now() < expiresAt + 300) {
      last = (await api('GET', '/v1/auth/session', undefined, { token })).status;
      if (Date.now() < expiresAt - 100) expect(last).toBe(200);
      await sleep(200);
    }
    expect(last).toBe(401);
  });
});

describe('throttled writes', () => {
  it('100 validations of one session make at most one write, and only once half the idle time is gone', async () => {
    const ops = dbOpCounter();
    const { server, api } = await start({ SESSION_IDLE_TTL: '4s' }, ops.observer);
    const touches = { count: () => ops.count('session_touch') };
    const { token, login } = await newSession(api);
    for (let i = 0; i < 100; i += 1) await api('GET', '/v1/auth/session', undefined, { token });
    expect(touches.count()).toBe(0); // more than half the idle timeout remains
    await sleep(2_200);
    for (let i = 0; i < 100; i += 1) await api('GET', '/v1/auth/session', undefined, { token });
    expect(touches.count()).toBe(1);
    const after = await api('GET', '/v1/auth/session', undefined, { token });
    expect(Date.parse(after.body.session.idleExpiresAt)).toBeGreaterThan(Date.parse(login.body.idleExpiresAt));
    const row = await server.runtime.store.sessions.findById(login.body.session.id);
    expect(row!.idleExpiresAt).toBe(Date.parse(after.body.session.idleExpiresAt));
  });
});

describe('rotation and theft detection', () => {
  it('the old token works during the grace period; presented after it, it revokes the session and is audited', async () => {
    const { server, api } = await start({ SESSION_ROTATION_GRACE: '600ms' });
    const { token: oldToken, sessionId } = await newSession(api);
    const refreshed = await api('POST', '/v1/auth/session/refresh', undefined, { token: oldToken });
    const newToken = refreshed.body.token as string;
    expect((await api('GET', '/v1/auth/session', undefined, { token: oldToken })).status).toBe(200);
    expect((await api('GET', '/v1/auth/session', undefined, { token: newToken })).status).toBe(200);
    await sleep(800);
    expect((await api('GET', '/v1/auth/session', undefined, { token: oldToken })).status).toBe(401);
    expect((await api('GET', '/v1/auth/session', undefined, { token: newToken })).status).toBe(401);
    const events = await server.runtime.store.audit.query({ type: 'token_reuse_detected', limit: 10 });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ sessionId, type: 'token_reuse_detected' });
    const row = await server.runtime.store.sessions.findById(sessionId);
    expect(row!.revokedAt).not.toBeNull();
  });

  it('a rotated-out token cannot itself be refreshed', async () => {
    const { api } = await start();
    const { token } = await newSession(api);
    expect((await api('POST', '/v1/auth/session/refresh', undefined, { token })).status).toBe(200);
    expect((await api('POST', '/v1/auth/session/refresh', undefined, { token })).status).toBe(401);
  });
});

describe('de-duplication and negative caching', () => {
  it('100 concurrent validations of a cold token make one store read', async () => {
    const ops = dbOpCounter();
    const { server, api } = await start({}, ops.observer);
    const { token } = await newSession(api);
    await server.runtime.cache.flushAll(); // cold: nothing cached anywhere
    const before = ops.count('session_by_token');
    const reads = { count: () => ops.count('session_by_token') - before };
    const results = await Promise.all(Array.from({ length: 100 }, async () => server.runtime.sessions.validate(token)));
    expect(results.every((r) => r?.tokenHash)).toBe(true);
    expect(reads.count()).toBe(1);
  });

  it('an unknown token reaches the store once, then is answered from the negative cache', async () => {
    const ops = dbOpCounter();
    const { api } = await start({}, ops.observer);
    const reads = { count: () => ops.count('session_by_token') };
    const unknown = `tss_${'A'.repeat(43)}`;
    for (let i = 0; i < 50; i += 1)
      expect((await api('GET', '/v1/auth/session', undefined, { token: unknown })).status).toBe(401);
    expect(reads.count()).toBe(1);
    const malformed = await api('GET', '/v1/auth/session', undefined, { token: 'tss_short' });
    expect(malformed.status).toBe(401);
    expect(reads.count()).toBe(1);
  });
});

describe('no raw token at rest', () => {
  it('the SQLite files hold only hashes', async () => {
    const { server, api } = await start();
    const { token } = await newSession(api);
    const refreshed = await api('POST', '/v1/auth/session/refresh', undefined, { token });
    await server.close();
    const files = readdirSync(server.dataDir).map((f) => path.join(server.dataDir, f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = readFileSync(file).toString('latin1');
      for (const t of [token, refreshed.body.token as string]) {
        expect(bytes.includes(t)).toBe(false);
        expect(bytes.includes(t.slice(4))).toBe(false);
        expect(bytes.includes(Buffer.from(t.slice(4), 'base64url').toString('latin1'))).toBe(false);
      }
    }
  });
});
