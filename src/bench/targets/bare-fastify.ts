import Fastify from 'fastify';
import type { CapturedResponse } from '../types.js';
import { replayParts } from './replay.js';
import type { RunningTarget } from './types.js';

/** Reference point: a bare Fastify route (no hooks, no plugins) sending the same bytes as Tessera. */
export async function startBareFastify(response: CapturedResponse): Promise<RunningTarget> {
  const { headers, body } = replayParts(response);
  const app = Fastify({ logger: false });
  app.get('/v1/auth/session', (_request, reply) => {
    for (let i = 0; i < headers.length; i += 2) {
      if (headers[i] !== 'content-length') reply.header(headers[i], headers[i + 1]);
    }
    reply.code(response.status).send(body);
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { info: { url: `${address}/v1/auth/session`, headers: {} }, stop: () => app.close() };
}
