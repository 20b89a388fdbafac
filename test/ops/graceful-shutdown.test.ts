import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { apiClient, newSession, PASSWORD } from '../helpers/tessera.js';
import { tempDir } from '../cli/run-cli.js';
import { waitUntil } from '../helpers/poll.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';

const started: ServerProcess[] = [];
afterAll(() => Promise.all(started.map((s) => s.stop('SIGKILL'))));

async function start(env: Record<string, string>) {
  const server = await startServerProcess(env);
  started.push(server);
  return server;
}

const exitOf = (server: ServerProcess) =>
  new Promise<number | null>((resolve) => {
    if (server.child.exitCode !== null) resolve(server.child.exitCode);
    else server.child.once('exit', (code) => resolve(code));
  });

/** True when a brand-new TCP connection is refused (the listener is closed). */
const refused = (url: string) =>
  fetch(`${url}/health`, { headers: { connection: 'close' } }).then(
    () => false,
    (e) => /ECONNREFUSED/.test(String(e.cause?.code ?? e.cause ?? e)),
  );

describe('SIGTERM on an embedded server', () => {
  it('finishes every in-flight login with 200, refuses new connections meanwhile, and exits 0', async () => {
    // One hash at a time: 16 logins take a while to drain, so SIGTERM lands in the middle of them.
    const server = await start({
      TESSERA_DATA_DIR: tempDir('shutdown'),
      PASSWORD_HASH_CONCURRENCY: '1',
      // Every in-flight login must finish: none may be shed by the bounded hash queue on a slow machine.
      PASSWORD_HASH_QUEUE_WAIT: '5m',
      CLEANUP_INTERVAL: '1s',
    });
    const api = apiClient(server.url);
    const { email } = await newSession(api);

    let done = 0;
    const logins = Array.from({ length: 16 }, () =>
      api('POST', '/v1/auth/login', { email, password: PASSWORD }).then(
        (res) => {
          done += 1;
          return res;
        },
        (error: unknown) => {
          done += 1;
          return error;
        },
      ),
    );
    const first = await Promise.race(logins);
    expect(first).toMatchObject({ status: 200 });
    // "In flight" means the server has them: a loaded client may still be opening connections when the first
    // answer comes back, so SIGTERM waits until a few hashes (one at a time) have gone by.
    await waitUntil(() => done >= 3, 20_000, 'three logins answered');
    const exited = exitOf(server);
    server.child.kill('SIGTERM');

    // While it drains, the listener is closed: new connections are refused and the process is still alive.
    const deadline = Date.now() + 2000;
    while (!(await refused(server.url))) {
      if (Date.now() > deadline) throw new Error('the server still accepts connections after SIGTERM');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(done).toBeLessThan(logins.length);
    expect(server.child.exitCode).toBeNull();

    const results = await Promise.all(logins);
    expect(results.map((r) => (r as { status?: number }).status)).toEqual(logins.map(() => 200));
    expect(await exited).toBe(0);
    expect(await refused(server.url)).toBe(true);
    expect(server.output()).not.toMatch(/shutdown timed out|shutdown failed/);
  });

  it('an idle keep-alive client does not hold the shutdown up', async () => {
    const server = await start({ TESSERA_DATA_DIR: tempDir('shutdown') });
    const res = await fetch(`${server.url}/health`); // fetch keeps this connection open
    expect(res.status).toBe(200);
    await res.text();
    const begin = Date.now();
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(Date.now() - begin).toBeLessThan(3000); // the force-exit timer (10 s) would exit 1
  });
});

describeWith(['redis', 'postgres'], 'SIGTERM on a scaled server (PostgreSQL + Redis)', () => {
  it('exits 0 promptly: jobs stopped, Redis connections and the database pool closed', async () => {
    const db = await createTestDatabase();
    const prefix = uniquePrefix('shutdown');
    try {
      const server = await start({
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        CLEANUP_INTERVAL: '1s',
        WARM_INTERVAL: '1s',
        PASSWORD_HASH_CONCURRENCY: '1',
        PASSWORD_HASH_QUEUE_WAIT: '5m',
      });
      const api = apiClient(server.url);
      const { email, token } = await newSession(api);
      expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
      const inFlight = Array.from({ length: 6 }, () => api('POST', '/v1/auth/login', { email, password: PASSWORD }));
      await Promise.race(inFlight);
      const begin = Date.now();
      const exited = exitOf(server);
      server.child.kill('SIGTERM');
      expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual(inFlight.map(() => 200));
      expect(await exited).toBe(0);
      expect(Date.now() - begin).toBeLessThan(5000);
    } finally {
      await db.drop();
      await deleteRedisPrefix(REDIS_URL, prefix);
    }
  });
});
