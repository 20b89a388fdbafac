#!/usr/bin/env node
// What each protection feature does per request, timed in-process (embedded mode: in-memory counters), so its CPU
// cost can be read even when the machine is too busy for `tessera bench --suite security` to separate features.
// Per request of each route, the calls the feature makes (see src/http/plugins/security.ts and the login guard):
//   rate limits   GET /v1/auth/sessions: consume(ip) + consume(user) · login: consume(ip) + consume(login) + guard
//                 check + recordSuccess
//   reputation    verdict(ip)
//   anomalies     onRequest(ip) (spike counting) · GET /v1/auth/sessions also onSessionUse (client check, memoised)
// Audit (one database insert per login) and alert dispatch (nothing to send without events) are not timed here.
// Rounds interleave the features; medians of rounds. Run after `npm run build`:
//   node bench/protection-calls.mjs [--calls 50000] [--rounds 5]
import { parseArgs } from 'node:util';
import { loadConfig } from '../dist/config/index.js';
import { createProtection } from '../dist/security/protection.js';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '50000' }, rounds: { type: 'string', default: '5' } },
});
const calls = Number(values.calls);
const lifted = { RATE_LIMIT_IP_PER_MIN: '10000000', RATE_LIMIT_USER_PER_MIN: '10000000' };
const p = createProtection({
  config: loadConfig({ ...lifted, RATE_LIMIT_LOGIN_PER_MIN: '10000000', ANOMALY_SPIKE_PER_10S: '10000000' }),
});
const ip = '203.0.113.7';
const client = { ip, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' };
const attempt = { email: 'someone@example.test', ip };

const FEATURES = {
  'rate limits, GET /v1/auth/sessions': async () => {
    await Promise.all([p.limits.consume('ip', ip), p.limits.consume('user', 'user-1')]);
  },
  'rate limits + guard, login': async () => {
    await Promise.all([p.limits.consume('ip', ip), p.limits.consume('login', ip)]);
    await p.guard.check(attempt);
    await p.guard.recordSuccess(attempt);
  },
  reputation: async () => {
    await p.reputation.verdict(ip);
  },
  'anomalies, GET /v1/auth/sessions': async () => {
    p.anomalies.onRequest(ip);
    await p.anomalies.onSessionUse(client, client, { sessionId: 's-1', userId: 'user-1' });
  },
  'anomalies, login': async () => {
    p.anomalies.onRequest(ip);
  },
  'nothing (one await)': async () => {},
};

const timings = new Map(Object.keys(FEATURES).map((name) => [name, []]));
for (let round = 0; round < Number(values.rounds); round += 1) {
  const names = Object.keys(FEATURES);
  for (const name of round % 2 ? names.reverse() : names) {
    const fn = FEATURES[name];
    for (let i = 0; i < 1000; i += 1) await fn(); // warm
    const started = process.cpuUsage();
    for (let i = 0; i < calls; i += 1) await fn();
    const used = process.cpuUsage(started);
    timings.get(name).push((used.user + used.system) / calls);
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];
console.log(`CPU µs per request, median of ${values.rounds} rounds × ${calls} calls (node ${process.version})`);
for (const [name, list] of timings)
  console.log(
    `${name.padEnd(38)} ${median(list).toFixed(2).padStart(7)}   rounds: ${list.map((v) => v.toFixed(2)).join(' ')}`,
  );
process.exit(0);
