#!/usr/bin/env node
// Measures what SESSION_TTL_ADAPTIVE does to the L1 hit rate and L1 size, side by side, on one skewed workload:
//   node bench/adaptive-ttl.mjs [--seconds 30] [--rounds 2]
// Each round runs fixed lifetimes, then adaptive ones, in this process against an in-memory SQLite store (no Redis:
// an L1 miss is a database read). Lifetimes are scaled down (fixed L1 2 s; adaptive 0.7 s → 8 s) so a run is short.
// Workload: 2 000 active sessions validated 400 times a second; 70 % of validations go to 100 hot sessions
// (each about 2.8/s), 30 % to the other 1 900 (each about once every 16 s). A validation that joined a database
// load in flight counts as a miss. Needs a build (npm run build).
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import pino from 'pino';

const dist = new URL('../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const [
  { loadConfig },
  { createStore },
  { createL1Cache },
  { createLocalBus },
  { createSessionCore },
  { PermissionResolver },
  { AuditLog },
  { generateToken, hashToken },
  { newTrace },
] = await Promise.all([
  load('config/index.js'),
  load('store/create-store.js'),
  load('cache/l1-cache.js'),
  load('cache/bus-local.js'),
  load('sessions/core.js'),
  load('auth/permissions.js'),
  load('audit/audit-log.js'),
  load('sessions/token.js'),
  load('sessions/types.js'),
]);

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '30' }, rounds: { type: 'string', default: '2' } },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const HOT = 100;
const COLD = 1900;
const RATE = 400;
const HOT_SHARE = 0.7;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const VARIANTS = {
  fixed: { SESSION_L1_TTL: '2s' },
  adaptive: {
    SESSION_L1_TTL: '2s',
    SESSION_TTL_ADAPTIVE: 'true',
    SESSION_L1_TTL_MIN: '700ms',
    SESSION_L1_TTL_MAX: '8s',
  },
};

async function run(name) {
  const config = loadConfig({ PASSWORD_HASH_CONCURRENCY: '1', ...VARIANTS[name] });
  const store = await createStore(config, { filename: ':memory:' });
  await store.migrate();
  const now = Date.now();
  const tokens = [];
  for (let i = 0; i < HOT + COLD; i++) {
    const user = await store.users.create(
      { tenant: 'default', email: `${randomUUID()}@b.test`, name: null, passwordHash: 'x', roles: ['user'] },
      now,
    );
    const token = generateToken();
    await store.sessions.insert({
      id: randomUUID(),
      userId: user.id,
      tenant: 'default',
      tokenHash: hashToken(token),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 86_400_000,
      idleExpiresAt: now + 3_600_000,
      revokedAt: null,
      revokeReason: null,
      ip: null,
      userAgent: null,
      data: {},
      version: 1,
      revision: 1,
    });
    tokens.push(token);
  }
  const logger = pino({ level: 'silent' });
  const l1 = createL1Cache({ max: config.sessionL1Max, ttlMs: config.sessionL1Ttl });
  const stack = { l1, l2: undefined, bus: createLocalBus(), breaker: undefined, close: async () => {} };
  const core = createSessionCore(config, {
    store,
    stack,
    permissions: new PermissionResolver(store.roles),
    audit: new AuditLog(store.audit, logger),
    observer: {},
    logger,
    shared: false,
  });
  const tiers = { l1: 0, db: 0, other: 0 };
  const sizes = [];
  const started = Date.now();
  let sent = 0;
  const pending = new Set();
  const sampler = setInterval(() => sizes.push(l1.stats().size), 250);
  while (Date.now() - started < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - started) / 1000) * RATE);
    for (; sent < due; sent++) {
      const token =
        Math.random() < HOT_SHARE
          ? tokens[Math.floor(Math.random() * HOT)]
          : tokens[HOT + Math.floor(Math.random() * COLD)];
      const trace = newTrace();
      const done = Promise.resolve(core.sessions.validate(token, trace)).then(() => {
        tiers[trace.tier === 'l1' || trace.tier === 'db' ? trace.tier : 'other']++; // other: joined a load in flight
      });
      pending.add(done);
      done.finally(() => pending.delete(done));
    }
    await sleep(5);
  }
  clearInterval(sampler);
  await Promise.all(pending);
  await core.close();
  await store.close();
  // The first third is the cache filling up: report the steady part as well as the whole run.
  const total = tiers.l1 + tiers.db + tiers.other;
  const steadySizes = sizes.slice(Math.floor(sizes.length / 3));
  return {
    name,
    validations: total,
    l1HitRate: tiers.l1 / total,
    dbReads: tiers.db,
    joined: tiers.other,
    meanL1Entries: Math.round(steadySizes.reduce((a, b) => a + b, 0) / steadySizes.length),
  };
}

console.log(
  `adaptive TTL: ${ROUNDS} round(s) of ${SECONDS}s per variant, ${HOT + COLD} sessions at ${RATE}/s, ${HOT_SHARE * 100}% to ${HOT} hot ones`,
);
const results = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const name of Object.keys(VARIANTS)) {
    const result = await run(name);
    results.push({ round, ...result });
    console.log(
      `round ${round} ${name.padEnd(8)} validations ${result.validations}  L1 hit ${(result.l1HitRate * 100).toFixed(1)} %  DB reads ${result.dbReads} (+${result.joined} joined)  mean L1 entries ${result.meanL1Entries}`,
    );
  }
}
const mean = (name, key) => {
  const rows = results.filter((r) => r.name === name);
  return rows.reduce((a, r) => a + r[key], 0) / rows.length;
};
console.log(
  `adaptive ÷ fixed: DB reads ${(mean('adaptive', 'dbReads') / mean('fixed', 'dbReads')).toFixed(3)}, mean L1 entries ${(mean('adaptive', 'meanL1Entries') / mean('fixed', 'meanL1Entries')).toFixed(3)}, L1 hit rate ${(mean('fixed', 'l1HitRate') * 100).toFixed(1)} % → ${(mean('adaptive', 'l1HitRate') * 100).toFixed(1)} %`,
);
