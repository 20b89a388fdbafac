import { writeFileSync } from 'node:fs';
import { buildRunConfig, type RawOptions } from '../loadtest/options.js';
import { runLoadTest } from '../loadtest/run.js';
import { formatSummary } from '../loadtest/report/summary.js';
import { parseOut, writeReport } from '../loadtest/report/write.js';
import { NdjsonStream } from '../loadtest/report/ndjson.js';
import { createProgress } from '../loadtest/report/progress.js';
import { compareToBaseline, REGRESSION_EXIT_CODE } from '../loadtest/baseline/compare.js';
import { startSelf, type SelfTarget } from './self-target.js';
import type { Report } from '../loadtest/report/types.js';
import { EXIT_THRESHOLDS_FAILED, failConfig, readReport } from './loadtest-shared.js';

export interface CliOptions extends Omit<RawOptions, 'file'> {
  out?: string[];
  saveBaseline?: string;
  baseline?: string;
  tolerance?: string;
  selfEnv?: string[];
  progress?: boolean;
  quiet?: boolean;
}

export function parseSelfEnv(specs: string[] | undefined, errors: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of specs ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) errors.push(`--self-env "${s}" is not NAME=VALUE`);
    else env[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return env;
}

/** The target's METRICS_TOKEN: the flag, else the --self server's own, else this environment's. */
export function metricsTokenFor(flag: string | undefined, selfEnv: Record<string, string>): string | undefined {
  return flag || selfEnv.METRICS_TOKEN || process.env.METRICS_TOKEN || undefined;
}

/** Ctrl-C ends the run early; it still reports. */
export function interruption(): Promise<string> {
  return new Promise((resolve) => process.once('SIGINT', () => resolve('interrupted (SIGINT)')));
}

export function exitCodeFor(report: Report): number {
  if (Object.values(report.thresholds).some((t) => !t.ok)) return EXIT_THRESHOLDS_FAILED;
  if (report.comparison?.regressed) return REGRESSION_EXIT_CODE;
  return 0;
}

/** The loadtest command's work, loaded only when it runs (keeps every other command's start-up lean). */
export async function loadtestAction(file: string | undefined, opts: CliOptions): Promise<void> {
  const errors: string[] = [];
  const outs = (opts.out ?? []).map((s) => parseOut(s, errors)).filter((o) => o !== undefined);
  const tolerance = opts.tolerance === undefined ? 10 : Number(opts.tolerance.replace(/%$/, ''));
  if (!Number.isFinite(tolerance) || tolerance < 0 || tolerance > 1000)
    errors.push(`--tolerance "${opts.tolerance}" must be a percentage from 0 to 1000`);
  if (opts.tolerance !== undefined && opts.baseline === undefined) errors.push('--tolerance goes with --baseline');
  const baseline = opts.baseline === undefined ? undefined : readReport(opts.baseline, errors);
  const selfEnv = parseSelfEnv(opts.selfEnv, errors);
  const config = await buildRunConfig({ ...opts, file }, errors);
  if (errors.length > 0 || !config) failConfig(errors);
  const metricsToken = metricsTokenFor(opts.metricsToken, selfEnv);
  if (metricsToken) config.metricsToken = metricsToken;

  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  let self: SelfTarget | undefined;
  if (opts.self) {
    self = await startSelf(selfEnv);
    config.plan.target = self.url.endsWith('/') ? self.url : `${self.url}/`;
    config.targetPid = self.pid;
    log(`--self: embedded Tessera on ${self.url} (pid ${self.pid}; this generator is pid ${process.pid})`);
  }
  const progress =
    opts.progress === false
      ? undefined
      : createProgress(process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0, log);
  // --out ndjson=F streams a line per second while the run goes; the other outputs are written at the end.
  const streams = outs.filter((o) => o.kind === 'ndjson').map((o) => new NdjsonStream(o.path));
  let report: Report;
  try {
    report = await runLoadTest(config, {
      log,
      progress: progress?.update,
      interrupted: interruption(),
      second: streams.length ? (t, set) => streams.forEach((s) => s.second(t, set)) : undefined,
    });
  } finally {
    progress?.done();
    await self?.close();
  }
  await Promise.all(streams.map((s) => s.close({ thresholds: report.thresholds, metrics: report.metrics })));
  if (baseline) report.comparison = compareToBaseline(report, baseline, tolerance, opts.baseline!);
  if (!opts.quiet) process.stdout.write(`${formatSummary(report)}\n`);
  for (const out of outs) if (out.kind !== 'ndjson') writeReport(report, out);
  if (opts.saveBaseline) writeFileSync(opts.saveBaseline, JSON.stringify(report, null, 2));
  process.exit(exitCodeFor(report));
}
