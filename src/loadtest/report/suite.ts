import { mergeReports } from './merge.js';
import type { Report } from './types.js';

const GRADES = 'ABCDF';

/**
 * One report for a suite: the runs merged (histograms add exactly), each run's thresholds and recommendations
 * prefixed with its label, the worst grade, and every run's own report under `runs`.
 */
export function combineSuiteReports(name: string, runs: Report[]): Report {
  if (runs.length === 0) throw new Error(`suite ${name}: no run to report`);
  const mergeErrors: string[] = [];
  const report =
    runs.length > 1 ? (mergeReports(runs, mergeErrors) ?? structuredClone(runs[0])) : structuredClone(runs[0]);
  report.label = `${name} suite`;
  report.runs = runs;
  report.thresholds = Object.fromEntries(
    runs.flatMap((r) => Object.entries(r.thresholds).map(([k, v]) => [`[${r.label}] ${k}`, v])),
  );
  report.grade = runs.map((r) => r.grade).sort((a, b) => GRADES.indexOf(b) - GRADES.indexOf(a))[0] ?? 'F';
  report.recommendations = runs.flatMap((r) => r.recommendations.map((x) => `[${r.label}] ${x}`));
  const aborted = runs.find((r) => r.aborted)?.aborted;
  if (aborted) report.aborted = aborted;
  return report;
}
