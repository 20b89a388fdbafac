import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What a writer reads and sets on a response: a Fastify reply, or one written directly (respondDirect). */
export interface ResponseView {
  readonly statusCode: number;
  header(name: string, value: string): unknown;
  headers(values: Readonly<Record<string, string>>): unknown;
  getHeader(name: string): unknown;
  hasHeader(name: string): boolean;
}

/** Work done on every response just before it is written (headers, timing). Must not throw or go async. */
export type ResponseWriter = (request: FastifyRequest, response: ResponseView, elapsedMs: number) => void;

declare module 'fastify' {
  interface FastifyRequest {
    /** performance.now() when the request's hooks began. */
    startedAt: number;
  }
}

const writersByServer = new WeakMap<object, ResponseWriter[]>();
const elapsedSince = (request: FastifyRequest): number =>
  request.startedAt === 0 ? 0 : performance.now() - request.startedAt;

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
      const elapsedMs = elapsedSince(request);
      for (let i = 0; i < list.length; i++) list[i](request, reply, elapsedMs);
      done(null, payload);
    });
  }
  writers.push(writer);
}

/** Headers of a response written directly: a flat [name, value, …] list, what writeHead takes fastest. */
class FlatHeaders implements ResponseView {
  readonly list: string[] = [];
  constructor(readonly statusCode: number) {}
  header(name: string, value: string): this {
    const at = this.indexOf(name);
    if (at === -1) this.list.push(name, value);
    else this.list[at + 1] = value;
    return this;
  }
  headers(values: Readonly<Record<string, string>>): this {
    for (const name in values) this.header(name, values[name]);
    return this;
  }
  getHeader(name: string): string | undefined {
    const at = this.indexOf(name);
    return at === -1 ? undefined : this.list[at + 1];
  }
  hasHeader(name: string): boolean {
    return this.indexOf(name) !== -1;
  }
  private indexOf(name: string): number {
    for (let i = 0; i < this.list.length; i += 2) if (this.list[i] === name) return i;
    return -1;
  }
}

/**
 * Sends a 200 JSON body straight to the socket with the same headers every other response gets (the writers run
 * on it), skipping Fastify's reply pipeline: about 7 µs per request, a seventh of the hot path. For session
 * validation only; everything else goes through reply.send.
 */
export function respondDirect(request: FastifyRequest, reply: FastifyReply, json: string): void {
  const headers = new FlatHeaders(200);
  const already = reply.getHeaders(); // set by hooks before the handler (rate-limit headers, for one)
  for (const name in already) headers.header(name, String(already[name]));
  headers.header('content-type', 'application/json; charset=utf-8');
  const writers = writersByServer.get(reply.server.server);
  if (writers !== undefined) {
    const elapsedMs = elapsedSince(request);
    for (let i = 0; i < writers.length; i++) writers[i](request, headers, elapsedMs);
  }
  headers.header('content-length', String(Buffer.byteLength(json)));
  reply.hijack();
  reply.raw.writeHead(200, headers.list);
  reply.raw.end(json);
}
