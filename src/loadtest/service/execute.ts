import { totalDuration } from '../engine/stages.js';
import { runLoadTest, type Progress } from '../run.js';
import { combineSuiteReports } from '../report/suite.js';
import type { Report } from '../report/types.js';
import type { PreparedRun } from './run-request.js';
import type { SeedLocally } from '../scenarios/seed.js';

/** Where a run is, as the API shows it. */
export interface RunProgress {
  phase: 'starting' | 'running';
  elapsedMs: number;
  totalMs: number;
  percent: number;
  reqs: number;
  rps: number;
  errorRate: number;
  p90Ms: number;
  p99Ms: number;
  vus: number;
  dropped: number;
  /** Suites: which of their tests is running. */
  entry?: { index: number; count: number; label: string };
}

export interface ExecuteHooks {
  log: (line: string) => void;
  progress: (progress: RunProgress) => void;
  /** Resolves with a reason when the run must stop: it ends early and still reports what it measured. */
  stopped: Promise<string>;
  /** A run against this server itself seeds its accounts through the user service, not through signup. */
  seedLocally?: SeedLocally;
}

/** Runs a prepared run with the load tester (one test, or a suite's tests in order) and returns its report. */
export async function executeRun(prepared: PreparedRun, hooks: ExecuteHooks): Promise<Report> {
  const runs: Report[] = [];
  let stop: string | undefined;
  void hooks.stopped.then((reason) => (stop = reason));
  let doneMs = 0;
  for (const [index, config] of prepared.configs.entries()) {
    if (stop !== undefined && runs.length > 0) break;
    const entry =
      prepared.kind === 'suite'
        ? { index, count: prepared.configs.length, label: config.label ?? `test ${index + 1}` }
        : undefined;
    if (entry) hooks.log(`suite test ${index + 1}/${entry.count}: ${entry.label}`);
    hooks.progress(progressOf(undefined, doneMs, prepared.totalMs, entry));
    const offset = doneMs;
    runs.push(
      await runLoadTest(config, {
        log: hooks.log,
        progress: (p) => hooks.progress(progressOf(p, offset, prepared.totalMs, entry)),
        interrupted: hooks.stopped,
        ...(prepared.self && hooks.seedLocally ? { seedLocally: hooks.seedLocally } : {}),
      }),
    );
    doneMs += totalDuration(config.plan.stages);
  }
  if (prepared.kind === 'scenario') return runs[0];
  const report = combineSuiteReports(String(prepared.params.suite), runs);
  if (stop !== undefined && runs.length < prepared.configs.length) report.aborted ??= stop;
  return report;
}

function progressOf(
  p: Progress | undefined,
  offsetMs: number,
  totalMs: number,
  entry: RunProgress['entry'],
): RunProgress {
  const elapsedMs = Math.round(offsetMs + (p?.elapsedMs ?? 0));
  return {
    phase: p ? 'running' : 'starting',
    elapsedMs,
    totalMs,
    percent: totalMs > 0 ? Math.min(100, Math.round((elapsedMs / totalMs) * 1000) / 10) : 0,
    reqs: p?.reqs ?? 0,
    rps: p?.rps ?? 0,
    errorRate: p ? Math.round(p.errorRate * 10_000) / 10_000 : 0,
    p90Ms: p?.p90 ?? 0,
    p99Ms: p?.p99 ?? 0,
    vus: p?.vus ?? 0,
    dropped: p?.dropped ?? 0,
    ...(entry ? { entry } : {}),
  };
}

/** How a finished run is judged: stopped by request, failed on a threshold, or passed. */
export function statusOf(report: Report, stopReason: string | undefined): 'passed' | 'failed' | 'stopped' {
  if (stopReason !== undefined) return 'stopped';
  return Object.values(report.thresholds).some((t) => !t.ok) ? 'failed' : 'passed';
}

/** The k6-shaped summary kept with the run (the full report, histograms and timeline included, is served on its own). */
export function summaryOf(report: Report): Record<string, unknown> {
  return {
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    metrics: report.metrics,
    thresholds: report.thresholds,
    checks: report.checks,
    grade: report.grade,
    recommendations: report.recommendations,
    scenario: report.scenario,
    ...(report.aborted ? { aborted: report.aborted } : {}),
    ...(report.breakpoint ? { breakpoint: report.breakpoint } : {}),
    ...(report.runs
      ? {
          runs: report.runs.map((r) => ({
            label: r.label,
            grade: r.grade,
            aborted: r.aborted,
            thresholds: r.thresholds,
          })),
        }
      : {}),
  };
}
