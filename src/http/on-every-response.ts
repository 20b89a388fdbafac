import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Work done on every response just before it is written (headers, timing). Must not throw or go async. */
export type ResponseWriter = (request: FastifyRequest, reply: FastifyReply, elapsedMs: number) => void;

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request's hooks began. */
    startedAt: number;
  }
}

const writersByServer = new WeakMap<object, ResponseWriter[]>();

/**
 * Runs `writer` on every response of the app, with the time since the request's hooks began (what Fastify's
 * `reply.elapsedTime` measures; that one is only kept when Fastify has a logger or onResponse hooks, and
 * either adds per-request listeners that cost the hot path more than everything here). All of it is one
 * onRequest stamp and one onSend hook, however many layers add writers. Call on the root instance (or from
 * a fastify-plugin) so the hooks see every route.
 */
export function onEveryResponse(app: FastifyInstance, writer: ResponseWriter): void {
  let writers = writersByServer.get(app.server);
  if (writers === undefined) {
    const list: ResponseWriter[] = [];
    writers = list;
    writersByServer.set(app.server, list);
    app.decorateRequest('startedAt', 0);
    app.addHook('onRequest', (request, _reply, done) => {
      request.startedAt = performance.now();
      done();
    });
    app.addHook('onSend', (request, reply, payload, done) => {
      const elapsedMs = request.startedAt === 0 ? 0 : performance.now() - request.startedAt;
      for (let i = 0; i < list.length; i++) list[i]!(request, reply, elapsedMs);
      done(null, payload);
    });
  }
  writers.push(writer);
}
