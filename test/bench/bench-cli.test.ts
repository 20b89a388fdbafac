import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/server-process.js';

const exec = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'tessera-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI; resolves with its exit code and output whatever the code. */
async function tessera(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '' },
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('tessera bench (CLI)', () => {
  it('runs the hot-path suite and saves both targets and their ratio as JSON', async () => {
    const file = path.join(dir, 'hot-path.json');
    // A bare --duration number is seconds, as --help's default shows.
    const run = await tessera([
      'bench',
      '--suite',
      'hot-path',
      '--duration',
      '1',
      '--rounds',
      '1',
      '--connections',
      '2',
      '--sessions',
      '20',
      '--out',
      `json=${file}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/tessera .*\n.*node:http/s);
    expect(run.stdout).toMatch(/cycles through 20 distinct session\(s\)/);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.settings).toMatchObject({ rounds: 1, durationSec: 1, connections: 2, sessions: 20 });
    expect(['wrk', 'autocannon']).toContain(report.settings.generator);
    const suite = report.suites['hot-path'];
    expect(suite.summary.targets.map((t: { name: string }) => t.name)).toEqual(['tessera', 'node:http']);
    for (const target of suite.summary.targets) {
      expect(target.reqPerSec).toBeGreaterThan(0);
      expect(target.p99Ms).toBeGreaterThanOrEqual(target.p50Ms);
      expect(target.rounds).toHaveLength(1);
      expect(target.non2xx + target.errors).toBe(0);
      expect(target.cpuMicrosPerRequest).toBeGreaterThan(0);
    }
    // The value is not asserted (performance is not tested here), only that it is the ratio of the two.
    const [t, b] = suite.summary.targets;
    expect(suite.summary.ratio).toBeCloseTo(t.reqPerSec / b.reqPerSec, 2);
    expect(suite.summary.floor).toBe(0.45);
    expect(suite.summary.responseBytes).toBeGreaterThan(0);
  }, 90_000);

  it('--against measures another build in the same rounds and --target-env reaches every Tessera target', async () => {
    const file = path.join(dir, 'against.json');
    const built = path.dirname(path.dirname(CLI)); // this checkout's dist/, standing in for another build
    const run = await tessera([
      'bench',
      '--suite',
      'hot-path',
      '--duration',
      '1',
      '--rounds',
      '1',
      '--connections',
      '2',
      '--sessions',
      '20',
      '--against',
      built,
      '--target-env',
      'NODE_ENV=production',
      '--out',
      `json=${file}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/this build ÷ dist = /);
    const suite = JSON.parse(readFileSync(file, 'utf8')).suites['hot-path'];
    const names = suite.summary.targets.map((t: { name: string }) => t.name);
    expect(names).toEqual(['tessera', 'node:http', 'tessera @ dist']);
    const [t, , other] = suite.summary.targets;
    expect(other.reqPerSec).toBeGreaterThan(0);
    expect(suite.summary.against.label).toBe('dist');
    expect(suite.summary.against.ratio).toBeCloseTo(t.reqPerSec / other.reqPerSec, 2);
    // Production turns the debug headers off: the captured response has no Server-Timing.
    const headerNames = Object.keys(suite.summary.responseHeaders).map((h) => h.toLowerCase());
    expect(headerNames).toContain('x-request-id');
    expect(headerNames).not.toContain('server-timing');
  }, 90_000);

  it('--generator autocannon and --no-pin are honoured and reported', async () => {
    const file = path.join(dir, 'autocannon.json');
    const run = await tessera([
      'bench',
      '--suite',
      'hot-path',
      '--duration',
      '1',
      '--rounds',
      '1',
      '--connections',
      '2',
      '--sessions',
      '5',
      '--generator',
      'autocannon',
      '--no-pin',
      '--out',
      `json=${file}`,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/load generator: autocannon; 5 distinct session\(s\).*nothing pinned/);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    expect(report.settings).toMatchObject({ generator: 'autocannon', sessions: 5 });
    expect(report.settings.pinning).toBeUndefined();
    for (const target of report.suites['hot-path'].summary.targets) {
      expect(target.requests).toBeGreaterThan(0);
      expect(target.non2xx + target.errors).toBe(0);
    }
  }, 90_000);

  it('refuses an unknown suite with one clear line and exit code 2', async () => {
    const run = await tessera(['bench', '--suite', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/unknown suite "nope".*hot-path/);
  });

  it('refuses a malformed --out and --rounds with exit code 2', async () => {
    expect((await tessera(['bench', '--out', 'xml=f'])).code).toBe(2);
    expect((await tessera(['bench', '--rounds', '0'])).code).toBe(2);
    expect((await tessera(['bench', '--duration', '1.5s'])).code).toBe(2);
    expect((await tessera(['bench', '--duration', 'soon'])).code).toBe(2);
    const against = await tessera(['bench', '--against', dir]);
    expect(against.code).toBe(2);
    expect(against.stderr).toMatch(/--against .*no Tessera build there/);
    expect((await tessera(['bench', '--target-env', 'NODE_ENV'])).code).toBe(2);
    expect((await tessera(['bench', '--sessions', '0'])).code).toBe(2);
    expect((await tessera(['bench', '--generator', 'ab'])).code).toBe(2);
  });

  it('documents its flags in --help', async () => {
    const run = await tessera(['bench', '--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--suite',
      '--out',
      '--duration',
      '--rounds',
      '--connections',
      '--sessions',
      '--generator',
      '--no-pin',
      '--against',
      '--target-env',
    ])
      expect(run.stdout).toContain(flag);
  });
});
