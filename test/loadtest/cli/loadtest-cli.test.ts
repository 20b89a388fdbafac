import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBareServer, startTesseraFixture, type Fixture } from '../fixtures/tessera-fixture.js';
import { ROOT, ensureBuilt, tessera } from './run-cli.js';
import type { Report } from '../../../src/loadtest/report/types.js';

const dir = mkdtempSync(join(tmpdir(), 'lt-cli-'));
const readJson = (f: string): Report => JSON.parse(readFileSync(f, 'utf8')) as Report;

describe('tessera loadtest (CLI)', () => {
  let bare: Awaited<ReturnType<typeof startBareServer>>;
  let fx: Fixture;
  beforeAll(async () => {
    ensureBuilt();
    bare = await startBareServer();
    fx = await startTesseraFixture();
  });
  afterAll(async () => {
    await bare.close();
    await fx.close();
  });

  it('invalid configuration exits 104 with every problem on its own line', async () => {
    const r = await tessera([
      'loadtest',
      '--vus',
      'many',
      '--duration',
      'soon',
      '--threshold',
      'http_req_duration: p(95)<',
      '--profile',
      'nope',
      '--out',
      'pdf=x',
    ]);
    expect(r.code).toBe(104);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(r.stderr).toMatch(/--vus "many"/);
    expect(r.stderr).toMatch(/--duration "soon"/);
    expect(r.stderr).toMatch(/--profile "nope"/);
    expect(r.stderr).toMatch(/--out "pdf=x"/);
    expect((await tessera(['loadtest', '--no-such-flag'])).code).toBe(104);
    const badFile = join(dir, 'bad.yaml');
    writeFileSync(badFile, 'steps: 3\n');
    expect((await tessera(['loadtest', badFile])).code).toBe(104);
  });

  it('--url with --workers 2: histograms from both threads merge exactly (count = what the server saw)', async () => {
    const out = join(dir, 'workers.json');
    const before = bare.requests();
    const r = await tessera([
      'loadtest',
      '--url',
      bare.url,
      '--vus',
      '4',
      '--workers',
      '2',
      '--duration',
      '2s',
      '--out',
      `json=${out}`,
      '--no-progress',
    ]);
    expect(r.code).toBe(0);
    const report = readJson(out);
    expect(report.metrics.http_reqs.values.count).toBe(bare.requests() - before);
    expect(report.generator.threads).toBe(2);
    expect(report.metrics.vus.values.max).toBe(4);
    expect(r.stdout).toMatch(/http_req_duration/);
  });

  it('a failed threshold exits 99; JSON, CSV and HTML reports are written in the spec shape', async () => {
    const json = join(dir, 'fail.json');
    const csv = join(dir, 'fail.csv');
    const html = join(dir, 'fail.html');
    const r = await tessera([
      'loadtest',
      '--scenario',
      'auth',
      '--target',
      fx.url,
      '--vus',
      '2',
      '--duration',
      '1s',
      '--users',
      '2',
      '--threshold',
      'http_req_duration: p(95)<0.001',
      '--threshold',
      'http_req_failed: rate<0.5',
      '--out',
      `json=${json}`,
      '--out',
      `csv=${csv}`,
      '--out',
      `html=${html}`,
      '--no-progress',
    ]);
    expect(r.code).toBe(99);
    const report = readJson(json);
    expect(report.thresholds['http_req_duration: p(95)<0.001'].ok).toBe(false);
    expect(report.thresholds['http_req_failed: rate<0.5'].ok).toBe(true);
    for (const name of [
      'http_reqs',
      'http_req_duration',
      'http_req_failed',
      'iterations',
      'iteration_duration',
      'dropped_iterations',
      'checks',
      'vus',
    ])
      expect(report.metrics[name], name).toBeDefined();
    expect(Object.keys(report.metrics.http_req_duration.values)).toEqual(
      expect.arrayContaining(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']),
    );
    expect(report.steps.login).toBeDefined();
    expect(report.grade).toMatch(/^[A-F]$/);
    expect(report.recommendations.length).toBeGreaterThan(0);
    expect(report.generator).toHaveProperty('saturated');
    expect(report.target.scraped).toBe(true);
    expect(typeof report.histograms.totals.duration).toBe('string');
    expect(report.startedAt).toMatch(/^\d{4}-/);
    expect(report.durationMs).toBeGreaterThan(900);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toMatch(/^scope,name,count/);
    expect(rows.some((l) => l.startsWith('metric,http_req_duration,'))).toBe(true);
    expect(rows.some((l) => l.startsWith('step,login,'))).toBe(true);
    expect(readFileSync(html, 'utf8')).toMatch(/uPlot/);
  });

  it('abortOnFail (k6 object form in --config, and --abort-on-fail) stops the run early', async () => {
    const config = join(dir, 'abort.json');
    writeFileSync(
      config,
      JSON.stringify({ thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true }] } }),
    );
    const json = join(dir, 'abort.json.out');
    const started = Date.now();
    const r = await tessera([
      'loadtest',
      '--url',
      'http://127.0.0.1:1/',
      '--vus',
      '1',
      '--duration',
      '20s',
      '--config',
      config,
      '--out',
      `json=${json}`,
      '--no-progress',
    ]);
    expect(r.code).toBe(99);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(readJson(json).aborted).toMatch(/abortOnFail/);
    const r2 = await tessera([
      'loadtest',
      '--url',
      'http://127.0.0.1:1/',
      '--vus',
      '1',
      '--duration',
      '20s',
      '--threshold',
      'http_req_failed: rate<0.5',
      '--abort-on-fail',
      '--no-progress',
    ]);
    expect(r2.code).toBe(99);
    expect(r2.stderr).toMatch(/aborting/);
  });

  it('baselines: save, compare, and exit 111 on a regression beyond the tolerance', async () => {
    const base = join(dir, 'base.json');
    expect(
      (
        await tessera([
          'loadtest',
          '--url',
          bare.url,
          '--vus',
          '2',
          '--duration',
          '1s',
          '--save-baseline',
          base,
          '--no-progress',
        ])
      ).code,
    ).toBe(0);
    const baseline = readJson(base);
    // A baseline that claims 100× the throughput: this run regressed.
    baseline.metrics.http_reqs.values.rate = baseline.metrics.http_reqs.values.rate * 100;
    const inflated = join(dir, 'inflated.json');
    writeFileSync(inflated, JSON.stringify(baseline));
    const r = await tessera([
      'loadtest',
      '--url',
      bare.url,
      '--vus',
      '2',
      '--duration',
      '1s',
      '--baseline',
      inflated,
      '--tolerance',
      '20',
      '--no-progress',
    ]);
    expect(r.code).toBe(111);
    expect(r.stdout).toMatch(/REGRESSED http_reqs rate/);
  });

  it('merge: two reports merge exactly into one', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await Promise.all([
      tessera(['loadtest', '--url', bare.url, '--vus', '1', '--duration', '1s', '--out', `json=${a}`, '--no-progress']),
      tessera(['loadtest', '--url', bare.url, '--vus', '1', '--duration', '1s', '--out', `json=${b}`, '--no-progress']),
    ]);
    const merged = join(dir, 'merged.json');
    const r = await tessera(['loadtest', 'merge', a, b, '--out', `json=${merged}`, '--quiet']);
    expect(r.code).toBe(0);
    const m = readJson(merged);
    expect(m.metrics.http_reqs.values.count).toBe(
      readJson(a).metrics.http_reqs.values.count + readJson(b).metrics.http_reqs.values.count,
    );
    expect(m.metrics.http_req_duration.values.max).toBe(
      Math.max(readJson(a).metrics.http_req_duration.values.max, readJson(b).metrics.http_req_duration.values.max),
    );
    expect((await tessera(['loadtest', 'merge', a, join(dir, 'missing.json')])).code).toBe(104);
  });

  it('suite basic runs its tests in order into one report', async () => {
    const out = join(dir, 'suite.json');
    const html = join(dir, 'suite.html');
    const r = await tessera(
      [
        'loadtest',
        'suite',
        'basic',
        '--target',
        fx.url,
        '--duration',
        '4s',
        '--out',
        `json=${out}`,
        '--out',
        `html=${html}`,
        '--no-progress',
        '--quiet',
      ],
      60_000,
    );
    expect(r.code).toBe(0);
    const report = readJson(out);
    expect(report.runs!.map((x) => x.label)).toEqual(['smoke auth', 'smoke session', 'load session']);
    expect(report.grade).toMatch(/^[A-F]$/);
  });

  it('--self starts an embedded Tessera, seeds users, runs auth against it and stops it', async () => {
    const out = join(dir, 'self.json');
    const r = await tessera(
      [
        'loadtest',
        '--self',
        '--scenario',
        'auth',
        '--vus',
        '2',
        '--duration',
        '2s',
        '--users',
        '2',
        '--out',
        `json=${out}`,
        '--no-progress',
      ],
      60_000,
    );
    expect(r.stderr).toMatch(/embedded Tessera on http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/seeded 2 users \(2 created, 0 already there\)/);
    expect(r.code).toBe(0);
    const report = readJson(out);
    // The target ran in a process of its own: two processes, two CPU figures, the target's gone afterwards.
    expect(report.generator.pid).toBe(r.pid);
    expect(report.target.pid).toEqual(expect.any(Number));
    expect(report.target.pid).not.toBe(report.generator.pid);
    expect(r.stderr).toContain(`(pid ${report.target.pid}; this generator is pid ${report.generator.pid})`);
    expect(() => process.kill(report.target.pid ?? 0, 0)).toThrow(/ESRCH/);
    expect(report.target.scraped).toBe(true);
    expect(report.target.cpu).toEqual(expect.any(Number));
    expect(report.target.cpu).not.toBe(report.generator.cpu);
    // The auth scenario hashes a password per login, so the target may really be CPU-bound (on a quiet machine it
    // used 137 % of a core with its hash threads): any such advice names the target's own figure, never the generator's.
    const advice = /Target used (\d+)% of a core/.exec(report.recommendations.join(' '));
    if (advice) expect(Number(advice[1])).toBe(Math.round((report.target.cpu ?? 0) * 100));
    expect(report.steps.login.reqs).toBeGreaterThan(0);
    expect(report.steps.login.statuses['200']).toBe(report.steps.login.reqs);
    expect(report.steps.session.statuses['200']).toBe(report.steps.session.reqs);
    expect(report.steps.logout.statuses['204']).toBe(report.steps.logout.reqs);
    expect(report.metrics.checks.values.fails).toBe(0);
  });

  it('Ctrl-C ends the run early and still reports', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [`${ROOT}dist/cli/main.js`, 'loadtest', '--url', bare.url, '--vus', '2', '--duration', '60s'],
      { cwd: ROOT },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Wait for the first plain progress line (not a TTY: one line every 5 s), then interrupt.
    const deadline = Date.now() + 20_000;
    while (!/req\/s .*p99/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(stderr).toMatch(/\d+s\/60s +\d+ req\/s/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/ABORTED: interrupted \(SIGINT\)/);
    expect(stdout).toMatch(/http_reqs \.+ \d+/);
  });

  it('capacity turns assumptions into req/s, and a breakpoint report into instances', async () => {
    const r = await tessera(['capacity', '--dau', '864000', '--requests-per-session', '10', '--peak', '3', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ averageRps: 100, peakRps: 300 });
    const report = {
      metrics: { iterations: { values: { count: 100 } }, http_reqs: { values: { count: 200, rate: 50 } } },
      histograms: {},
      breakpoint: { sustainableRate: 100, highestRateTried: 150, failedThresholds: [] },
    };
    const file = join(dir, 'bp.json');
    writeFileSync(file, JSON.stringify(report));
    const r2 = await tessera([
      'capacity',
      '--dau',
      '864000',
      '--requests-per-session',
      '10',
      '--peak',
      '3',
      '--from',
      file,
      '--json',
    ]);
    expect(JSON.parse(r2.stdout)).toMatchObject({ sustainableRps: 200, headroom: 0.67, instances: 3 });
    expect((await tessera(['capacity', '--dau', 'x', '--requests-per-session', '1', '--peak', '1'])).code).toBe(2);
  });
});
