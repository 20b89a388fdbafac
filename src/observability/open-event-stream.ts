import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * Takes the response over from Fastify and starts a Server-Sent Events stream on it: the headers earlier hooks set
 * (request id, security headers…) are carried over, since hijacking would drop them, and proxies are told not to
 * buffer. Writes the client's reconnection delay first.
 */
export function openEventStream(reply: FastifyReply, retryMs: number): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  const inherited = reply.getHeaders();
  res.writeHead(200, {
    ...Object.fromEntries(Object.entries(inherited).filter(([, v]) => v !== undefined)),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  } as Record<string, string>);
  res.write(`retry: ${retryMs}\n\n`);
  return res;
}
