#!/usr/bin/env node
// Where Fastify's per-request cost comes from: the same response (Tessera's JSON body and 13 headers) served by
// node:http and by Fastify routes with one thing changed at a time, each server in its own process, autocannon
// (32 connections) in this one, rounds interleaved; figures are server CPU per request (process.cpuUsage()).
// The hot-path decisions of session 2 in bench/RESULTS.md were made from this. Run:
//   node bench/fastify-variants.mjs [--rounds 4] [--seconds 3] [VARIANT...]
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const VARIANTS = {
  'node:http': 'writeHead + end, nothing else',
  fastify: 'bare route, headers set in the handler, reply.send',
  'fastify+logger': 'the same with a pino loggerInstance (request logging off)',
  'fastify+onResponse': 'the same with one no-op onResponse hook',
  'fastify+hooks': 'timing stamped in onRequest, headers and X-Response-Time set in one onSend hook',
  'fastify+direct': 'the same hooks, the route writes with reply.hijack() + writeHead(flat list) + end',
  'fastify+3-fetches': 'bare route in a process that made 3 fetch() calls before serving',
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '3' },
    serve: { type: 'string' },
  },
});
const BODY = JSON.stringify({
  session: {
    id: 'x'.repeat(36),
    createdAt: '2026-11-22T07:00:00.000Z',
    expiresAt: '2026-11-22T07:00:00.000Z',
    idleExpiresAt: '2026-11-22T07:00:00.000Z',
    lastSeenAt: '2026-11-22T07:00:00.000Z',
    ip: '127.0.0.1',
    userAgent: 'bench',
    data: {},
    version: 1,
  },
  user: {
    id: 'y'.repeat(36),
    email: 'bench@example.com',
    tenant: 'default',
    roles: ['user'],
    permissions: ['session:read'],
  },
});
const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'x-request-id': 'abc-123',
  'x-response-time': '0.12ms',
  'server-timing': 'total;dur=0.12, cache;desc="L1", db;dur=0.00, redis;dur=0.00',
  'x-db-queries': '0',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-permitted-cross-domain-policies': 'none',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

const FLAT_HEADERS = Object.entries(HEADERS)
  .filter(([name]) => name !== 'x-response-time')
  .flat();

async function serve(variant) {
  if (variant === 'node:http') {
    const flat = [...Object.entries(HEADERS).flat(), 'content-length', String(Buffer.byteLength(BODY))];
    const server = http.createServer((_req, res) => {
      res.writeHead(200, flat);
      res.end(BODY);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    return server.address().port;
  }
  if (variant === 'fastify+3-fetches') {
    const other = http.createServer((_req, res) => res.end('ok'));
    await new Promise((r) => other.listen(0, '127.0.0.1', r));
    for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${other.address().port}/`)).text();
    other.close();
  }
  const { default: Fastify } = await import('fastify');
  const options =
    variant === 'fastify+logger'
      ? {
          loggerInstance: (await import('pino')).pino({ level: 'warn' }),
          logController: new (await import('fastify')).LogController({ disableRequestLogging: true }),
        }
      : { logger: false };
  const app = Fastify(options);
  const hooks = variant === 'fastify+hooks' || variant === 'fastify+direct';
  if (variant === 'fastify+onResponse') app.addHook('onResponse', (_q, _r, done) => done());
  if (hooks) {
    app.decorateRequest('t0', 0);
    app.addHook('onRequest', (request, _reply, done) => {
      request.t0 = performance.now();
      done();
    });
    app.addHook('onSend', (request, reply, payload, done) => {
      reply.headers(HEADERS);
      reply.header('x-response-time', `${(performance.now() - request.t0).toFixed(2)}ms`);
      done(null, payload);
    });
  }
  app.get('/', (request, reply) => {
    if (variant === 'fastify+direct') {
      const flat = FLAT_HEADERS.slice();
      flat.push(
        'x-response-time',
        `${(performance.now() - request.t0).toFixed(2)}ms`,
        'content-length',
        String(Buffer.byteLength(BODY)),
      );
      reply.hijack();
      reply.raw.writeHead(200, flat);
      reply.raw.end(BODY);
      return;
    }
    if (!hooks) reply.headers(HEADERS);
    reply.send(BODY);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

if (values.serve) {
  const port = await serve(values.serve);
  process.on('message', () => process.send(process.cpuUsage()));
  process.send({ port });
} else {
  const { default: autocannon } = await import('autocannon');
  const names = positionals.length > 0 ? positionals : Object.keys(VARIANTS);
  const targets = [];
  for (const name of names) {
    if (!VARIANTS[name]) throw new Error(`unknown variant ${name}; one of ${Object.keys(VARIANTS).join(', ')}`);
    const child = fork(fileURLToPath(import.meta.url), ['--serve', name], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const { port } = await new Promise((r) => child.once('message', r));
    targets.push({ name, child, url: `http://127.0.0.1:${port}/`, requests: 0, cpuMicros: 0, seconds: 0 });
  }
  const cpu = (t) =>
    new Promise((r) => {
      t.child.once('message', (c) => r(c.user + c.system));
      t.child.send('cpu');
    });
  for (const t of targets) await autocannon({ url: t.url, connections: 32, duration: 1 }); // warm-up
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const t of round % 2 ? [...targets].reverse() : targets) {
      const before = await cpu(t);
      const result = await autocannon({ url: t.url, connections: 32, duration: Number(values.seconds) });
      t.cpuMicros += (await cpu(t)) - before;
      t.requests += result.requests.total;
      t.seconds += Number(values.seconds);
    }
  }
  for (const t of targets) {
    console.log(
      `${t.name.padEnd(20)} ${String(Math.round(t.requests / t.seconds)).padStart(7)} req/s ${(t.cpuMicros / t.requests).toFixed(1).padStart(6)} µs/req  ${VARIANTS[t.name]}`,
    );
    t.child.kill();
  }
}
