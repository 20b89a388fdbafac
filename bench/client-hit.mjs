#!/usr/bin/env node
// The cost of a cached `validate` in the app (a hit answered from memory), for this build of @tessera/client and,
// with --against, another build side by side in the same process (rounds interleaved, medians of rounds).
// A stand-in Tessera on 127.0.0.1 (an SSE stream heartbeating every 100 ms, and GET /v1/auth/session answering
// one session) keeps both clients trusted; nothing but the hit path is timed. Two ways of calling:
//   same string   the same token string object every call (as `tessera bench --suite client` times it: V8 keeps
//                 the string's own hash, so a Map lookup by it is cheapest)
//   fresh string  a distinct, never-hashed copy of the token every call (as a token parsed from each request's
//                 header arrives)
// Run after `npm run build`:
//   node bench/client-hit.mjs [--against DIR/dist/index.js] [--calls 200000] [--rounds 7]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const { values } = parseArgs({
  options: {
    against: { type: 'string' },
    calls: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '7' },
  },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const TOKEN = 'tss_' + 'k'.repeat(39);

const now = Date.now();
const body = JSON.stringify({
  session: {
    id: 'ses_1',
    userId: 'usr_1',
    createdAt: new Date(now).toISOString(),
    lastSeenAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 86_400_000).toISOString(),
    idleExpiresAt: new Date(now + 3_600_000).toISOString(),
    data: {},
    version: 1,
  },
  user: {
    id: 'usr_1',
    email: 'a@example.test',
    name: null,
    tenant: 'default',
    roles: [],
    permissions: [],
    createdAt: new Date(now).toISOString(),
  },
});
// The stand-in Tessera runs in a worker thread, so it answers and heartbeats while the timed loops hold this thread.
const worker = new Worker(
  `const { createServer } = require('node:http');
const { parentPort, workerData: { TOKEN, body } } = require('node:worker_threads');
const streams = new Set();
const server = createServer((req, res) => {
  if (req.url === '/v1/sessions/revocations') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  if (req.url === '/v1/auth/session' && req.headers.authorization === \`Bearer \${TOKEN}\`) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  res.writeHead(401).end();
});
let eventId = 0;
setInterval(() => {
  eventId += 1;
  for (const res of streams) res.write(\`id: \${eventId}\nevent: heartbeat\ndata: {}\n\n\`);
}, 100);
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`,
  { eval: true, workerData: { TOKEN, body } },
);
const port = await new Promise((r) => worker.once('message', r));
const url = `http://127.0.0.1:${port}`;

const builds = [['this build', new URL('../packages/client/dist/index.js', import.meta.url).href]];
if (values.against) builds.push(['--against', pathToFileURL(resolve(values.against)).href]);
const clients = [];
for (const [name, href] of builds) {
  const { createClient } = await import(href);
  clients.push({ name, client: createClient({ url, serviceKey: 'tsk_bench', timeout: 10_000 }) });
}
const until = async (ok) => {
  for (let i = 0; i < 500 && !ok(); i += 1) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error('a client never trusted its stream');
};
await until(() => clients.every(({ client }) => client.stats().trusted));
for (const { client } of clients) if ((await client.validate(TOKEN)) === null) throw new Error('not validated');

let sink = 0;
const copies = () => Array.from({ length: calls }, () => Buffer.from(TOKEN).toString('latin1'));
/** ns per hit, or NaN when a call was not a hit (the stream's trust lapsed: the round is retried). */
async function time(client, tokens) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    await new Promise((r) => setTimeout(r, 150)); // a heartbeat has just been read: the loop runs trusted
    const hits = client.stats().hits;
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) if (client.validate(tokens === null ? TOKEN : tokens[i]) !== null) sink += 1;
    const ns = Number(process.hrtime.bigint() - start) / calls;
    if (client.stats().hits - hits === calls) return ns;
    await client.validate(TOKEN);
    await new Promise((r) => setTimeout(r, 50));
  }
  return NaN;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map(clients.map(({ name }) => [name, { same: [], fresh: [] }]));
for (let round = -1; round < rounds; round += 1) {
  const order = round % 2 === 0 ? clients : [...clients].reverse();
  for (const { name, client } of order) {
    const same = await time(client, null);
    const fresh = await time(client, copies());
    if (round >= 0) {
      results.get(name).same.push(same);
      results.get(name).fresh.push(fresh);
    }
    await new Promise((r) => setTimeout(r, 20)); // let heartbeats in
  }
}
const out = {};
for (const [name, r] of results) out[name] = { sameStringNs: median(r.same), freshStringNs: median(r.fresh) };
console.log(`cached validate, ns per call, medians of ${rounds} rounds of ${calls} hits (sink ${sink > 0}):`);
for (const [name, r] of Object.entries(out))
  console.log(
    `  ${name.padEnd(11)} same string ${r.sameStringNs.toFixed(0).padStart(6)}   fresh string ${r.freshStringNs.toFixed(0).padStart(6)}`,
  );
if (clients.length === 2) {
  const [a, b] = Object.values(out);
  console.log(
    `  this ÷ --against: same string ${(a.sameStringNs / b.sameStringNs).toFixed(3)}, fresh string ${(a.freshStringNs / b.freshStringNs).toFixed(3)}`,
  );
}
for (const { client } of clients) await client.close();
await worker.terminate();
