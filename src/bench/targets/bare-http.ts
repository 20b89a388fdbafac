import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CapturedResponse } from '../types.js';
import { replayParts } from './replay.js';
import type { RunningTarget } from './types.js';

/** The ceiling: node:http answering every request with Tessera's captured response bytes, doing nothing else. */
export async function startBareHttp(response: CapturedResponse): Promise<RunningTarget> {
  const { headers, body } = replayParts(response);
  const server = http.createServer((_req, res) => {
    res.writeHead(response.status, headers);
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    info: { url: `http://127.0.0.1:${port}/v1/auth/session`, headers: {} },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
