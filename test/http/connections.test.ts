import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startTestTessera, type TestTessera } from '../helpers/tessera.js';

/**
 * Slow and greedy clients, on real sockets: the request, header and keep-alive timeouts are enforced by the Node
 * server itself, and one address holds at most MAX_CONNECTIONS_PER_IP connections. The whole 127.0.0.0/8 range is
 * loopback on Linux, so clients bind 127.0.0.2 (subject to the cap) and 127.0.0.1 / 127.0.0.3 (exempt).
 */
let fast: TestTessera; // short timeouts
let capped: TestTessera; // default timeouts, a cap of 3
const sockets: net.Socket[] = [];

beforeAll(async () => {
  [fast, capped] = await Promise.all([
    startTestTessera({ REQUEST_TIMEOUT: '800ms', HEADERS_TIMEOUT: '400ms', KEEP_ALIVE_TIMEOUT: '300ms' }),
    startTestTessera({ MAX_CONNECTIONS_PER_IP: '3', CONNECTION_LIMIT_EXEMPT: '127.0.0.1', IP_ALLOWLIST: '127.0.0.3' }),
  ]);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});
afterAll(() => Promise.all([fast?.stop(), capped?.stop()]));

const portOf = (server: TestTessera) => Number(new URL(server.url).port);

interface Watched {
  socket: net.Socket;
  data: () => string;
  /** Resolves with the milliseconds from `watch` until the server closed the connection. */
  closed: Promise<number>;
}

async function open(server: TestTessera, localAddress: string): Promise<Watched> {
  const socket = net.connect({ host: '127.0.0.1', port: portOf(server), localAddress });
  sockets.push(socket);
  let received = '';
  const started = performance.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => {}); // a refused connection is reset: 'close' follows
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  return { socket, data: () => received, closed };
}

/** Whether the connection was closed by the server within `ms`. */
const closedWithin = (w: Watched, ms: number): Promise<boolean> =>
  Promise.race([w.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends a keep-alive GET /health and waits for its response; true when it was answered 200. */
async function health(w: Watched): Promise<boolean> {
  const before = w.data().length;
  w.socket.write('GET /health HTTP/1.1\r\nHost: tessera.test\r\n\r\n');
  for (let i = 0; i < 100 && !/\r\n\r\n[\s\S]*\}/.test(w.data().slice(before)); i++) {
    if (w.socket.destroyed) break;
    await sleep(10);
  }
  return w.data().slice(before).startsWith('HTTP/1.1 200');
}

describe('timeouts a slow client cannot stretch', () => {
  it('cuts a request whose body never finishes (Content-Length 1000, 10 bytes sent) after REQUEST_TIMEOUT', async () => {
    const w = await open(fast, '127.0.0.1');
    w.socket.write(
      'POST /v1/auth/login HTTP/1.1\r\nHost: tessera.test\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\n\r\n{"email":"',
    );
    expect(await closedWithin(w, 3000)).toBe(true);
    const after = await w.closed;
    expect(after).toBeGreaterThanOrEqual(700);
    expect(w.data()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts a client that trickles its body a byte at a time', async () => {
    const w = await open(fast, '127.0.0.1');
    w.socket.write('POST /v1/auth/login HTTP/1.1\r\nHost: tessera.test\r\nContent-Length: 1000\r\n\r\n');
    const trickle = setInterval(() => !w.socket.destroyed && w.socket.write(' '), 100);
    try {
      expect(await closedWithin(w, 3000)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
  });

  it('cuts headers that never finish after HEADERS_TIMEOUT, even when they trickle', async () => {
    const w = await open(fast, '127.0.0.1');
    w.socket.write('GET /health HTTP/1.1\r\nHost: tessera.test\r\n');
    const trickle = setInterval(() => !w.socket.destroyed && w.socket.write('X-A: b\r\n'), 100);
    try {
      expect(await closedWithin(w, 2500)).toBe(true);
    } finally {
      clearInterval(trickle);
    }
  });

  it('closes a connection that never sends a byte after HEADERS_TIMEOUT', async () => {
    const w = await open(fast, '127.0.0.1');
    expect(await closedWithin(w, 2000)).toBe(true);
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT', async () => {
    const w = await open(fast, '127.0.0.1');
    expect(await health(w)).toBe(true);
    expect(await closedWithin(w, 2000)).toBe(true);
  });

  it('does not let a next request trickling in after a response keep the connection', async () => {
    const w = await open(fast, '127.0.0.1');
    expect(await health(w)).toBe(true);
    const next = 'GET /health HTTP/1.1\r\nHost: tessera.test\r\nX-Slow: ' + 'x'.repeat(200);
    let i = 0;
    const trickle = setInterval(() => !w.socket.destroyed && i < next.length && w.socket.write(next[i++]), 100);
    try {
      expect(await closedWithin(w, 3000)).toBe(true); // 200 bytes at 10/s would take 20 s
    } finally {
      clearInterval(trickle);
    }
  });
});

describe('MAX_CONNECTIONS_PER_IP', () => {
  it('refuses the connection beyond the cap from one address, and accepts again once one closes', async () => {
    const held: Watched[] = [];
    for (let i = 0; i < 3; i++) held.push(await open(capped, '127.0.0.2'));
    for (const w of held) expect(await health(w)).toBe(true);

    const beyond = await open(capped, '127.0.0.2');
    expect(await closedWithin(beyond, 1000)).toBe(true);
    expect(beyond.data()).toBe('');

    held[0].socket.destroy();
    await held[0].closed;
    await sleep(50); // the server sees the close
    const again = await open(capped, '127.0.0.2');
    expect(await health(again)).toBe(true);
  });

  it('does not cap CONNECTION_LIMIT_EXEMPT or IP_ALLOWLIST addresses', async () => {
    for (const address of ['127.0.0.1', '127.0.0.3']) {
      const many: Watched[] = [];
      for (let i = 0; i < 8; i++) many.push(await open(capped, address));
      for (const w of many) expect(await health(w), address).toBe(true);
    }
  });

  it('exempts loopback by default, so load tests and local app clients are not cut', () => {
    const config = loadConfig({});
    expect(config.maxConnectionsPerIp).toBeGreaterThan(0);
    expect(config.connectionLimitExempt).toEqual(['127.0.0.0/8', '::1']);
    expect(() => loadConfig({ HEADERS_TIMEOUT: '1m', REQUEST_TIMEOUT: '30s' })).toThrow(/HEADERS_TIMEOUT/);
  });
});
