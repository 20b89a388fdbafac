import { runLoadTest } from '../loadtest/run.js';
import { SUITES, suiteConfigs } from '../loadtest/suites.js';
import { combineSuiteReports } from '../loadtest/report/suite.js';
import { formatSummary } from '../loadtest/report/summary.js';
import { parseOut, writeReport } from '../loadtest/report/write.js';
import { createProgress } from '../loadtest/report/progress.js';
import { startSelf, type SelfTarget } from './self-target.js';
import { parseDuration } from '../config/duration.js';
import type { Report } from '../loadtest/report/types.js';
import type { RunConfig } from '../loadtest/types.js';
import { EXIT_THRESHOLDS_FAILED, failConfig } from './loadtest-shared.js';
import { interruption, metricsTokenFor, parseSelfEnv } from './loadtest-action.js';

export interface SuiteOptions {
  target?: string;
  duration?: string;
  workers?: string;
  out?: string[];
  self?: boolean;
  selfEnv?: string[];
  metricsToken?: string;
  progress?: boolean;
  quiet?: boolean;
}

/** `loadtest suite`, loaded only when it runs. */
export async function suiteAction(name: string, opts: SuiteOptions): Promise<void> {
  const errors: string[] = [];
  const suite = SUITES[name];
  if (!suite) errors.push(`suite "${name}" is unknown (known: ${Object.keys(SUITES).join(', ')})`);
  const outs = (opts.out ?? []).map((s) => parseOut(s, errors)).filter((o) => o !== undefined);
  const totalMs = opts.duration === undefined ? suite?.durationMs : parseDuration(opts.duration);
  if (totalMs === undefined) errors.push(`--duration "${opts.duration}" is not a duration like 2m`);
  const selfEnv = parseSelfEnv(opts.selfEnv, errors);
  const configs: RunConfig[] = suite
    ? await suiteConfigs(
        name,
        { target: opts.self ? undefined : opts.target, durationMs: totalMs ?? 0, workers: opts.workers },
        errors,
      )
    : [];
  if (errors.length > 0 || !suite) failConfig(errors);
  const metricsToken = metricsTokenFor(opts.metricsToken, selfEnv);
  if (metricsToken) for (const config of configs) config.metricsToken = metricsToken;

  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  let self: SelfTarget | undefined;
  if (opts.self) {
    self = await startSelf(selfEnv);
    log(`--self: embedded Tessera on ${self.url} (pid ${self.pid}; this generator is pid ${process.pid})`);
  }
  const runs: Report[] = [];
  const interrupted = interruption();
  let stop = false;
  void interrupted.then(() => (stop = true));
  try {
    for (const config of configs) {
      if (stop) break;
      if (self) {
        config.plan.target = self.url.endsWith('/') ? self.url : `${self.url}/`;
        config.targetPid = self.pid;
      }
      log(`suite ${name}: ${config.label}`);
      const progress =
        opts.progress === false
          ? undefined
          : createProgress(process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0, log);
      try {
        runs.push(await runLoadTest(config, { log, progress: progress?.update, interrupted }));
      } finally {
        progress?.done();
      }
    }
  } finally {
    await self?.close();
  }
  const report = combineSuiteReports(name, runs);
  if (!opts.quiet) for (const run of runs) process.stdout.write(`${formatSummary(run)}\n\n`);
  if (!opts.quiet) process.stdout.write(`suite ${name}: ${runs.length} runs, grade ${report.grade}\n`);
  for (const out of outs) writeReport(report, out);
  process.exit(runs.some((r) => Object.values(r.thresholds).some((t) => !t.ok)) ? EXIT_THRESHOLDS_FAILED : 0);
}
