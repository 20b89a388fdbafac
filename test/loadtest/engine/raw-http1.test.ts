import { describe, it, expect, afterEach } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawHttp1Connection, encodeRequest } from '../../../src/loadtest/engine/raw-http1.js';

let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function serve(handler: http.RequestListener): Promise<URL> {
  server = http.createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/p?q=1`);
}

/** Sends `n` requests back to back on one connection; resolves with the statuses seen. */
function exchange(url: URL, n: number, method = 'GET', body?: string): Promise<Array<number | string>> {
  return new Promise((resolve) => {
    const seen: Array<number | string> = [];
    const conn = new RawHttp1Connection(
      url.hostname,
      Number(url.port),
      encodeRequest(method, url, { 'x-test': 'yes' }, body),
      method === 'HEAD',
      2000,
      (status, kind) => {
        seen.push(kind ?? status);
        if (seen.length === n) {
          conn.close();
          resolve(seen);
        } else conn.send();
      },
    );
    conn.send();
  });
}

describe('raw HTTP/1.1 hot-loop connection', () => {
  it('reads Content-Length bodies back to back on one keep-alive connection', async () => {
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      expect(req.url).toBe('/p?q=1');
      expect(req.headers['x-test']).toBe('yes');
      res.writeHead(201, { 'content-length': '5' }).end('hello');
    });
    expect(await exchange(url, 20)).toEqual(Array(20).fill(201));
    expect(sockets.size).toBe(1);
  });

  it('reads chunked bodies split over many writes, large bodies, and empty 204s', async () => {
    let i = 0;
    const url = await serve((_req, res) => {
      i++;
      if (i % 3 === 0) return res.writeHead(204).end();
      if (i % 3 === 1) {
        res.write('a'.repeat(10));
        setTimeout(() => res.end('b'.repeat(100_000)), 2);
        return;
      }
      res.writeHead(200, { 'content-length': String(200_000) }).end('c'.repeat(200_000));
    });
    expect(await exchange(url, 9)).toEqual([200, 200, 204, 200, 200, 204, 200, 200, 204]);
  });

  it('reconnects after Connection: close and sends POST bodies', async () => {
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () =>
        res.writeHead(body === '{"a":1}' ? 200 : 400, { connection: 'close', 'content-length': '0' }).end(),
      );
    });
    expect(await exchange(url, 3, 'POST', '{"a":1}')).toEqual([200, 200, 200]);
    expect(sockets.size).toBe(3);
  });

  it('reports refused connections as errors', async () => {
    const url = await serve(() => undefined);
    server!.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(await exchange(url, 1)).toEqual(['ECONNREFUSED']);
  });
});
