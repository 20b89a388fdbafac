#!/usr/bin/env node
// A login flood against two Tessera servers side by side: the default bounded password-hash queue, and the same
// queue made unbounded (PASSWORD_HASH_QUEUE_MAX=1000000, PASSWORD_HASH_QUEUE_WAIT=1d: what Tessera did before).
// Each server runs `dist/cli/main.js serve` in its own process; autocannon (in this process) opens --connections
// connections of POST /v1/auth/login with one account's correct credentials, rounds interleaved. Reported per
// server: admitted logins per second, p50/p99 of admitted (200) logins, shed (503) answers and their p99 (that every
// 503 carries Retry-After is tested in test/http/login-shedding.test.ts). Run after `npm run build`:
//   node bench/login-flood.mjs [--connections 200] [--seconds 8] [--rounds 2]
// With --burst N, each round sends N logins at once instead (the 400 concurrent logins), one fetch each.
//   node bench/login-flood.mjs --burst 400 --rounds 2
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    burst: { type: 'string' },
  },
});
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const PASSWORD = 'flood-password-0123456789';
const LIFTED = {
  RATE_LIMIT_IP_PER_MIN: '10000000',
  RATE_LIMIT_LOGIN_PER_MIN: '10000000',
  ANOMALY_SPIKE_PER_10S: '10000000',
};
const SERVERS = [
  { name: 'bounded queue (defaults)', env: {} },
  { name: 'unbounded queue', env: { PASSWORD_HASH_QUEUE_MAX: '1000000', PASSWORD_HASH_QUEUE_WAIT: '1d' } },
];

async function startServer(env) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-flood-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    env: { ...process.env, LOG_LEVEL: 'info', TESSERA_DATA_DIR: dataDir, ...LIFTED, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const match = buffer.match(/"url":"(http:\/\/[^"]+)"/) ?? buffer.match(/(http:\/\/127\.0\.0\.1:\d+)/);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  child.stdout.resume();
  const email = `flood-${Date.now()}@example.test`;
  const body = JSON.stringify({ email, password: PASSWORD });
  const headers = { 'content-type': 'application/json' };
  const signup = await fetch(`${url}/v1/auth/signup`, { method: 'POST', headers, body });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  return {
    url,
    body,
    stop: () => {
      child.kill('SIGTERM');
      return new Promise((resolve) => child.once('exit', resolve)).then(() =>
        rmSync(dataDir, { recursive: true, force: true }),
      );
    },
  };
}

async function burst(server, count) {
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: count }, async () => {
      const res = await fetch(`${server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: server.body,
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
    }),
  );
  const pct = (list, p) => {
    const sorted = list.map((a) => a.ms).sort((a, b) => a - b);
    return sorted.length
      ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))])
      : null;
  };
  const admitted = answers.filter((a) => a.status === 200);
  const shed = answers.filter((a) => a.status === 503);
  return {
    admitted: admitted.length,
    admittedP50Ms: pct(admitted, 50),
    admittedP99Ms: pct(admitted, 99),
    shed: shed.length,
    shedP50Ms: pct(shed, 50),
    shedP99Ms: pct(shed, 99),
    shedWithoutRetryAfter: shed.filter((a) => !a.retryAfter).length,
    otherStatus: answers.length - admitted.length - shed.length,
  };
}

function flood(server) {
  const admitted = createHistogram();
  const shed = createHistogram();
  let other = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${server.url}/v1/auth/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: server.body,
        connections: Number(values.connections),
        duration: Number(values.seconds),
        timeout: 30,
      },
      (error, result) => {
        if (error) return reject(error);
        const ms = (h, p) => (h.count > 0 ? Math.round(h.percentile(p) / 1e3) / 1e3 : null); // ns → ms, 3 decimals
        resolve({
          admittedPerSec: Math.round((admitted.count / result.duration) * 10) / 10,
          admittedP50Ms: ms(admitted, 50),
          admittedP99Ms: ms(admitted, 99),
          shed: shed.count,
          shedP99Ms: ms(shed, 99),
          otherStatus: other,
          errors: result.errors + result.timeouts,
        });
      },
    );
    instance.on('response', (client, status, _bytes, responseTimeMs) => {
      const ns = Math.max(1, Math.round(responseTimeMs * 1e6));
      if (status === 200) admitted.record(ns);
      else if (status === 503) shed.record(ns);
      else other += 1;
    });
  });
}

const servers = [];
try {
  for (const s of SERVERS) servers.push({ ...s, ...(await startServer(s.env)) });
  const results = new Map(SERVERS.map((s) => [s.name, []]));
  for (let round = 0; round < Number(values.rounds); round += 1) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const server of order) {
      const result = values.burst ? await burst(server, Number(values.burst)) : await flood(server);
      // A burst leaves the unbounded server hashing for a while: let it drain before the next measurement.
      if (values.burst) await new Promise((resolve) => setTimeout(resolve, 2000));
      console.error(`round ${round + 1} ${server.name}: ${JSON.stringify(result)}`);
      results.get(server.name).push(result);
    }
  }
  for (const [name, rounds] of results) console.log(name, JSON.stringify(rounds));
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
