import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTesseraFixture, type Fixture } from '../loadtest/fixtures/tessera-fixture.js';
import { apiClient, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';

/** A local server that must never be reached: it counts connections, not only requests. */
async function listen(
  handler: http.RequestListener,
): Promise<{ port: number; connections: () => number; requests: () => number; close(): Promise<void> }> {
  let connections = 0;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('load-test targets: this server and LOADTEST_ALLOW_HOSTS only', () => {
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  let admin: string;
  let listed: Fixture;
  let sink: Awaited<ReturnType<typeof listen>>;
  let redirector: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    listed = await startTesseraFixture();
    sink = await listen((_req, res) => res.end('you should not be here'));
    // Listed, but it redirects every request to the sink: the load tester must not follow.
    redirector = await listen((req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${sink.port}${req.url}` });
      res.end();
    });
    const listedPort = new URL(listed.url).port;
    t = await startTestTessera({
      TESSERA_ADMIN_EMAIL: 'lt-allow@example.test',
      TESSERA_ADMIN_PASSWORD: PASSWORD,
      LOADTEST_ALLOW_HOSTS: `127.0.0.1:${listedPort}, 127.0.0.1:${redirector.port}`,
    });
    api = apiClient(t.url);
    admin = (await api('POST', '/v1/auth/login', { email: 'lt-allow@example.test', password: PASSWORD })).body.token;
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([listed?.close(), sink?.close(), redirector?.close()]);
  });

  const finished = async (id: string) => {
    let run: any;
    await waitUntil(
      async () =>
        (run = (await api('GET', `/v1/admin/loadtests/${id}`, undefined, { token: admin })).body.run).status !==
        'running',
      20_000,
      'run to end',
    );
    return run;
  };

  it('refuses a host that is not listed, however its URL is dressed up, and sends it nothing', async () => {
    const p = sink.port;
    const listedHost = new URL(listed.url).host;
    const targets = [
      `http://127.0.0.1:${p}/`,
      `http://localhost:${p}`,
      `http://127.1:${p}`,
      `http://2130706433:${p}/`,
      `http://0x7f.1:${p}`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `HTTP://LOCALHOST:${p}`,
      `http://${listedHost}@127.0.0.1:${p}/`,
      `http://user:pw@127.0.0.1:${p}/`,
      `http://127.0.0.1:${p}#@${listedHost}`,
      `http://127.0.0.1:${p}\\@${listedHost}`,
      `http://127.0.0.1:${p}/?@${listedHost}`,
      `ftp://127.0.0.1:${p}/`,
      `ws://127.0.0.1:${p}/`,
      `file:///etc/passwd`,
      `http://0.0.0.0:${p}/`,
      `http://[::1]:${p}/`,
    ];
    for (const target of targets) {
      const res = await api(
        'POST',
        '/v1/admin/loadtests',
        { scenario: 'auth', vus: 1, duration: '1s', target },
        { token: admin },
      );
      expect(res.status, target).toBe(403);
      expect(res.body.error.code, target).toBe('target_not_allowed');
      expect(res.body.error.details[0].field).toBe('target');
    }
    expect((await api('GET', '/v1/admin/loadtests', undefined, { token: admin })).body.runs).toEqual([]);
    expect(sink.connections()).toBe(0);
  });

  it('runs against a listed host', async () => {
    const started = await api(
      'POST',
      '/v1/admin/loadtests',
      { scenario: 'auth', vus: 1, duration: '1s', target: listed.url, name: 'listed' },
      { token: admin },
    );
    expect(started.status).toBe(202);
    expect(started.body.run).toMatchObject({ target: listed.url, preset: 'auth' });
    const run = await finished(started.body.run.id);
    expect(run.status).toBe('passed');
    expect(listed.stats.logins).toBeGreaterThan(0);
    const report = (await api('GET', `/v1/admin/loadtests/${run.id}/report`, undefined, { token: admin })).body;
    expect(report.config.target).toBe(listed.url);
    expect(report.target.scraped).toBe(true);
  });

  it("does not follow a listed host's redirects to a host that is not listed", async () => {
    const started = await api(
      'POST',
      '/v1/admin/loadtests',
      { scenario: 'signup', vus: 1, duration: '1s', target: `http://127.0.0.1:${redirector.port}/` },
      { token: admin },
    );
    expect(started.status).toBe(202);
    const run = await finished(started.body.run.id);
    expect(run.status).not.toBe('running');
    expect(redirector.requests()).toBeGreaterThan(0);
    expect(sink.connections()).toBe(0);
  });
});
