import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import express from 'express';
import { createClient, type Tessera } from '@tessera/client';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { apiClient, newSession } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';
import { runCli } from '../cli/run-cli.js';
import { openStream } from './sse-reader.js';

describeWith(['postgres'], '@tessera/client against two instances on PostgreSQL + Redis', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: OwnRedis;
  let a: ServerProcess;
  let b: ServerProcess;
  let apiA: ReturnType<typeof apiClient>;
  let tessera: Tessera;
  let app: Server;
  let appUrl: string;
  const TIMEOUT_MS = 800;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisServer();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: uniquePrefix('client'),
      TESSERA_ADMIN_EMAIL: 'admin@example.test',
      TESSERA_ADMIN_PASSWORD: 'admin password 1',
    };
    a = await startServerProcess(env); // migrates the database first
    const [started, created] = await Promise.all([
      startServerProcess(env),
      runCli(['service-keys', 'create', 'scaled-app'], { env: { DATABASE_URL: db.url } }),
    ]);
    b = started;
    apiA = apiClient(a.url);
    expect(created.code, created.stderr).toBe(0);
    ({ key } = JSON.parse(created.stdout) as { key: string });
    // The app talks to instance B only.
    tessera = createClient({ url: b.url, serviceKey: key, timeout: TIMEOUT_MS });
    const server = express();
    server.get('/me', tessera.express({ required: true }), (req, res) => {
      res.json({ userId: (req as unknown as { tessera: { user: { id: string } } }).tessera.user.id });
    });
    app = server.listen(0, '127.0.0.1');
    await new Promise((r) => app.once('listening', r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    await waitUntil(() => tessera.stats().trusted, 10_000, 'client trusts its stream');
  });

  afterAll(async () => {
    b?.child.kill('SIGCONT');
    await tessera?.close();
    app?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    await db?.drop();
  });

  const status = async (token: string) =>
    (await fetch(`${appUrl}/me`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('a logout on instance A reaches the app connected to instance B within 1 s', async () => {
    for (let i = 0; i < 3; i += 1) {
      const { token } = await newSession(apiA);
      expect(await status(token)).toBe(200);
      expect(tessera.validate(token)).not.toBeInstanceOf(Promise); // cached in the app
      expect((await apiA('POST', '/v1/auth/logout', undefined, { token })).status).toBe(204);
      const took = await waitUntil(async () => (await status(token)) === 401, 1000, 'app sees the logout');
      expect(took).toBeLessThan(1000);
    }
  });

  it('stream ids are global: an id from instance A resumes on instance B', async () => {
    const onA = await openStream(a.url, key);
    const beat = await onA.next((e) => e.event === 'heartbeat');
    await onA.close();
    const { token, sessionId } = await newSession(apiA);
    expect((await apiA('POST', '/v1/auth/logout', undefined, { token })).status).toBe(204);
    const onB = await openStream(b.url, key, beat.id);
    const replay = await onB.next((e) => e.event === 'revoke' && e.data.includes(sessionId));
    // B took A's id as a position in the one change log (no flush); an event B forwards from the bus before its own
    // log read has caught up carries B's position, which may still equal A's heartbeat id: resuming from it only
    // replays more, never less.
    expect(Number(replay.id)).toBeGreaterThanOrEqual(Number(beat.id));
    await onB.close();
  });

  it('a cache flush on instance A reaches the app as a flush event: its cache is emptied', async () => {
    const { token } = await newSession(apiA);
    expect(await status(token)).toBe(200);
    expect(tessera.stats().size).toBeGreaterThan(0);
    const flushes = tessera.stats().flushes;
    const admin = (await apiA('POST', '/v1/auth/login', { email: 'admin@example.test', password: 'admin password 1' }))
      .body.token as string;
    expect((await apiA('DELETE', '/v1/admin/cache', undefined, { token: admin })).status).toBe(200);
    await waitUntil(() => tessera.stats().flushes > flushes, 2000, 'flush event');
    expect(tessera.stats().size).toBe(0);
    expect(await status(token)).toBe(200); // asked again, and cached again
  });

  it('instance B stopped (SIGSTOP): 503 within the timeout, never 200 for an unchecked token; 200 once resumed', async () => {
    const { token } = await newSession(apiA);
    expect(await status(token)).toBe(200);
    const fresh = await newSession(apiA); // never seen by the app: a miss while B is frozen
    const unavailable = tessera.stats().unavailable;
    b.child.kill('SIGSTOP');
    try {
      const started = Date.now();
      const res = await fetch(`${appUrl}/me`, { headers: { authorization: `Bearer ${fresh.token}` } });
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      expect(tessera.stats().unavailable).toBeGreaterThan(unavailable);
      // The cached one is trusted for at most 1 s of silence, then it is 503 as well.
      await waitUntil(async () => (await status(token)) === 503, 3000, 'cached token no longer trusted');
      expect(tessera.stats().trusted).toBe(false);
    } finally {
      b.child.kill('SIGCONT');
    }
    await waitUntil(async () => (await status(token)) === 200, 10_000, 'back to 200');
    expect(await status(fresh.token)).toBe(200);
    await waitUntil(() => tessera.stats().trusted, 10_000, 'trusted again');
  });

  it('Redis killed: the stream stops heartbeating, the app asks the server, revocations still land', async () => {
    const { token } = await newSession(apiA);
    expect(await status(token)).toBe(200);
    await redis.stop();
    await waitUntil(() => !tessera.stats().trusted, 5000, 'client stops trusting its cache');
    expect(tessera.stats().streamConnected).toBe(true); // connected, but silent: no heartbeats without the bus
    const misses = tessera.stats().misses;
    expect(await status(token)).toBe(200);
    expect(tessera.stats().misses).toBeGreaterThan(misses);
    expect((await apiA('POST', '/v1/auth/logout', undefined, { token })).status).toBe(204);
    await waitUntil(async () => (await status(token)) === 401, 3000, 'logout seen through the server');
  });
});
