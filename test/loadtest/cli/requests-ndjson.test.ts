import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBareServer } from '../fixtures/tessera-fixture.js';
import { ensureBuilt, tessera } from './run-cli.js';

let bare: Awaited<ReturnType<typeof startBareServer>>;
const dir = mkdtempSync(join(tmpdir(), 'lt-ndjson-'));
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(async () => {
  ensureBuilt();
  bare = await startBareServer();
});
afterAll(() => bare.close());

describe('-n/--requests and --out ndjson', () => {
  it('-n sends exactly N requests (as ab -n), over threads too', async () => {
    for (const [n, extra] of [
      ['700', ['--vus', '8']],
      ['333', ['--vus', '4', '--workers', '2']],
    ] as const) {
      const json = join(dir, `n-${n}.json`);
      const r = await tessera(['loadtest', '--url', bare.url, '-n', n, ...extra, '--out', `json=${json}`, '--quiet']);
      expect(r.code).toBe(0);
      expect(JSON.parse(readFileSync(json, 'utf8')).metrics.http_reqs.values.count).toBe(Number(n));
    }
    expect((await tessera(['loadtest', '--url', bare.url, '-n', 'x'])).code).toBe(104);
  }, 60_000);

  it('streams one line per second while the run goes, with every metric and step, then a summary line', async () => {
    const file = join(dir, 'run.ndjson');
    const run = tessera([
      'loadtest',
      '--url',
      bare.url,
      '--vus',
      '2',
      '--duration',
      '6s',
      '--out',
      `ndjson=${file}`,
      '--threshold',
      'http_req_failed: rate<0.01',
      '--quiet',
      '--no-progress',
    ]);
    let finished = false;
    void run.then(() => (finished = true));
    // Mid-run the file already has seconds in it (the process still runs).
    let early: Record<string, any>[] = [];
    while (!finished && early.length === 0) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        if (existsSync(file)) early = lines(file);
      } catch {
        /* a line half written: read again */
      }
    }
    expect(finished).toBe(false);
    expect(early.every((l) => l.type === 'second')).toBe(true);
    expect((await run).code).toBe(0);
    const all = lines(file);
    const seconds = all.filter((l) => l.type === 'second');
    const summary = all.at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary.thresholds['http_req_failed: rate<0.01'].ok).toBe(true);
    // The seconds add up to the run's totals.
    const sum = seconds.reduce((s, l) => s + l.metrics.http_reqs.values.count, 0);
    expect(sum).toBe(summary.metrics.http_reqs.values.count);
    expect(seconds[0].t).toBe(1);
    expect(Object.keys(seconds[1].metrics)).toEqual(
      expect.arrayContaining(['http_reqs', 'http_req_duration', 'http_req_failed', 'iterations', 'vus']),
    );
    expect(seconds[1].steps.url.reqs).toBe(seconds[1].metrics.http_reqs.values.count);
    expect(seconds[1].metrics.http_req_duration.values['p(95)']).toBeGreaterThan(0);
  }, 30_000);
});
