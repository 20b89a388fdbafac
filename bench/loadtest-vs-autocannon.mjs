#!/usr/bin/env node
// Load generator vs autocannon: same bare node:http server, same connection count, interleaved rounds.
// Each generator runs in its own child process and reports the requests it completed and the CPU
// it used during the run (process.cpuUsage() around the run, so start-up is excluded for both).
// Throughput is requests over the load phase each tool measured itself (autocannon's result.duration,
// the report's durationMs). Run after `npm run build`:  node bench/loadtest-vs-autocannon.mjs [--connections 10] [--seconds 5] [--rounds 3]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    child: { type: 'string' },
    url: { type: 'string' },
  },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);
const self = fileURLToPath(import.meta.url);

if (values.child === 'server') {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
} else if (values.child === 'autocannon') {
  const { default: autocannon } = await import('autocannon');
  const cpu0 = process.cpuUsage();
  const result = await autocannon({ url: values.url, connections, duration: seconds, pipelining: 1 });
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      cpuSec: (cpu.user + cpu.system) / 1e6,
      wallSec: result.duration,
      p99: result.latency.p99,
    }) + '\n',
  );
} else if (values.child === 'tessera') {
  const { buildRunConfig } = await import('../dist/loadtest/options.js');
  const { runLoadTest } = await import('../dist/loadtest/run.js');
  const errors = [];
  const config = await buildRunConfig({ url: values.url, vus: String(connections), duration: `${seconds}s` }, errors);
  if (!config) throw new Error(errors.join('; '));
  const cpu0 = process.cpuUsage();
  const report = await runLoadTest(config, { log: () => {} });
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    JSON.stringify({
      requests: report.metrics.http_reqs.values.count,
      errors: report.metrics.http_req_failed.values.passes,
      cpuSec: (cpu.user + cpu.system) / 1e6,
      wallSec: report.durationMs / 1000,
      p99: report.metrics.http_req_duration.values['p(99)'],
    }) + '\n',
  );
} else {
  await main();
}

function runChild(kind, url) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [self, '--child', kind, '--url', url, '--connections', String(connections), '--seconds', String(seconds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`${kind} exited ${code}`)),
    );
  });
}

async function main() {
  const server = spawn(process.execPath, [self, '--child', 'server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) => server.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  const url = `http://127.0.0.1:${port}/`;
  const totals = {
    tessera: { requests: 0, cpuSec: 0, wallSec: 0 },
    autocannon: { requests: 0, cpuSec: 0, wallSec: 0 },
  };
  console.log(
    `bare node:http server on ${url}; ${connections} connections, ${seconds}s per run, ${values.rounds} interleaved rounds`,
  );
  for (let round = 1; round <= Number(values.rounds); round++) {
    const order = round % 2 === 1 ? ['tessera', 'autocannon'] : ['autocannon', 'tessera'];
    for (const kind of order) {
      const r = await runChild(kind, url);
      totals[kind].requests += r.requests;
      totals[kind].cpuSec += r.cpuSec;
      totals[kind].wallSec += r.wallSec;
      console.log(
        `round ${round} ${kind.padEnd(10)} ${String(r.requests).padStart(8)} req  ${(r.requests / r.wallSec).toFixed(0).padStart(6)} req/s  ${r.cpuSec.toFixed(2)} CPU-s  ${(r.requests / r.cpuSec).toFixed(0).padStart(6)} req/CPU-s  p99 ${r.p99} ms  errors ${r.errors}`,
      );
    }
  }
  server.kill();
  const t = totals.tessera;
  const a = totals.autocannon;
  const throughputRatio = t.requests / t.wallSec / (a.requests / a.wallSec);
  const efficiencyRatio = t.requests / t.cpuSec / (a.requests / a.cpuSec);
  console.log(
    `\ntessera:    ${(t.requests / t.wallSec).toFixed(0)} req/s, ${(t.requests / t.cpuSec).toFixed(0)} req per CPU-second`,
  );
  console.log(
    `autocannon: ${(a.requests / a.wallSec).toFixed(0)} req/s, ${(a.requests / a.cpuSec).toFixed(0)} req per CPU-second`,
  );
  console.log(`throughput ratio (tessera/autocannon): ${throughputRatio.toFixed(3)}`);
  console.log(`requests per CPU-second ratio (tessera/autocannon): ${efficiencyRatio.toFixed(3)}`);
}
