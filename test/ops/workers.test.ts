import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { apiClient, newSession, PASSWORD } from '../helpers/tessera.js';
import { tempDir } from '../cli/run-cli.js';
import { occupiedPort } from '../helpers/services.js';

interface Answer {
  status: number;
  process: string;
}

/** One GET on a fresh TCP connection (no keep-alive), so node:cluster can hand it to any worker. */
function getFresh(url: string, path: string, token?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url + path,
      { agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode!, process: String(res.headers['x-request-id']).split('-')[0] }),
        );
      },
    );
    req.on('error', reject);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('tessera serve --workers 2 (embedded)', () => {
  let server: ServerProcess;
  let workerPids: number[] = [];

  beforeAll(async () => {
    // PASSWORD_HASH_QUEUE_WAIT: the drain test's logins must all be admitted, however slow a hash on a loaded machine.
    server = await startServerProcess(
      { TESSERA_DATA_DIR: tempDir('workers'), LOG_LEVEL: 'info', PASSWORD_HASH_QUEUE_WAIT: '5m' },
      ['--workers', '2'],
    );
    // Wait until both workers listen (the first one answers /health before the second is up).
    const deadline = Date.now() + 15_000;
    while (
      new Set(
        server
          .output()
          .split('\n')
          .filter((l) => l.includes('"tessera listening"')),
      ).size < 2
    ) {
      if (Date.now() > deadline) throw new Error(`workers did not start: ${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    workerPids = server
      .output()
      .split('\n')
      .filter((l) => l.includes('"tessera listening"'))
      .map((l) => JSON.parse(l).pid as number);
  });
  afterAll(() => server?.stop('SIGKILL'));

  it('two processes serve one port', async () => {
    expect(new Set(workerPids).size).toBe(2);
    expect(workerPids).not.toContain(server.child.pid);
    const answers = await Promise.all(Array.from({ length: 50 }, () => getFresh(server.url, '/health')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.process)).size).toBe(2); // request-id prefixes are per process
  });

  it('a logout through one worker is seen by the other within 1 s (IPC bus)', async () => {
    const { token } = await newSession(apiClient(server.url));
    // Both workers validate the token, so each holds it in its L1 (lifetime 15 s).
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i += 1) {
      const answer = await getFresh(server.url, '/v1/auth/session', token);
      expect(answer.status).toBe(200);
      seen.add(answer.process);
    }
    expect(seen.size).toBe(2);

    const logout = await new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        `${server.url}/v1/auth/logout`,
        { method: 'POST', agent: false, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode!, process: String(res.headers['x-request-id']).split('-')[0] }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(logout.status).toBe(204);
    const start = Date.now();

    // Every answer from now on is 401 once the bus delivered; the other worker must get there within 1 s.
    let otherRevokedAfter: number | undefined;
    while (Date.now() - start < 1500) {
      const answer = await getFresh(server.url, '/v1/auth/session', token);
      if (answer.process === logout.process) expect(answer.status).toBe(401);
      else if (answer.status === 401) otherRevokedAfter ??= Date.now() - start;
      else expect(otherRevokedAfter, 'the other worker served the revoked session again').toBeUndefined();
    }
    expect(otherRevokedAfter).toBeDefined();
    expect(otherRevokedAfter!).toBeLessThan(1000);
  });

  it('a worker that dies is replaced, and the port keeps serving', async () => {
    const victim = workerPids[0];
    process.kill(victim, 'SIGKILL');
    const listening = () =>
      server
        .output()
        .split('\n')
        .filter((l) => l.includes('"tessera listening"'))
        .map((l) => JSON.parse(l).pid as number);
    const deadline = Date.now() + 10_000;
    while (listening().length < 3) {
      if (Date.now() > deadline) throw new Error(`no replacement worker: ${server.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(server.output()).toMatch(/worker exited; starting another/);
    workerPids = [workerPids[1], listening()[2]];
    expect(workerPids.every(alive)).toBe(true);
    const answers = await Promise.all(Array.from({ length: 20 }, () => getFresh(server.url, '/health')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });

  it('SIGTERM to the primary lets every worker drain its in-flight requests, and exits 0 only after them', async () => {
    expect(workerPids.every(alive)).toBe(true);
    const api = apiClient(server.url);
    const { email } = await newSession(api);
    // Fresh connections, so both workers get some; argon2 makes each take a while.
    const logins = Array.from(
      { length: 8 },
      () =>
        new Promise<number>((resolve, reject) => {
          const req = http.request(
            `${server.url}/v1/auth/login`,
            { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          );
          req.on('error', reject);
          req.end(JSON.stringify({ email, password: PASSWORD }));
        }),
    );
    await Promise.race(logins);
    const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    const code = await exited;
    const stillAlive = workerPids.filter(alive); // checked the moment the primary is gone
    expect(code).toBe(0);
    expect(stillAlive).toEqual([]);
    expect(await Promise.all(logins)).toEqual(logins.map(() => 200));
    expect(server.output().match(/worker exited; starting another/g)).toHaveLength(1); // only the one killed above
    expect(server.output()).not.toMatch(/shutdown timed out/);
  });
});

describe('tessera serve --workers 2 that cannot start', () => {
  it('stops with a non-zero exit instead of forking replacements forever (port in use)', async () => {
    const { port, release } = await occupiedPort();
    try {
      const { runCli } = await import('../cli/run-cli.js');
      const result = await runCli(['serve', '--workers', '2', '--port', String(port)], {
        env: { TESSERA_DATA_DIR: tempDir('workers') },
        timeoutMs: 25_000,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^tessera: bind EADDRINUSE 127.0.0.1:${port}$`, 'm'));
      expect(result.stdout).toMatch(/worker failed before serving; stopping/);
      expect(result.stdout).not.toMatch(/starting another/);
    } finally {
      release();
    }
  });
});
