import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { hash, verify } from '@node-rs/argon2';
import { OWASP_ARGON2ID } from '../../auth/passwords.js';
import type { RunningTarget } from './types.js';

/**
 * The raw cost of a login's hash: node:http reading the login body and answering after one `@node-rs/argon2`
 * verify with Tessera's parameters, nothing else. Its concurrency is the load generator's connections.
 */
export async function startArgon2Verify(password: string): Promise<RunningTarget> {
  const stored = await hash(password, OWASP_ARGON2ID);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { password: string };
      void verify(stored, body.password).then((ok) => {
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(ok ? '{"ok":true}' : '{"ok":false}');
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}/v1/auth/login`, headers: {} },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
