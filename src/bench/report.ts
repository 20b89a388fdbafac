import { ratio, type TargetFigures } from './interleave.js';
import type { SuiteResult } from './types.js';

/**
 * The CPU-per-request ratio leads: on a shared machine it is what a server alone on its core would see, where
 * req/s also carries every other process's share of the cores.
 */
export const figuresColumns = (ratioHeading = 'ratio'): SuiteResult['columns'] => [
  ['target', 'target'],
  ['cpuRatio', `${ratioHeading} by CPU`],
  ['cpu', 'CPU µs/req'],
  ['ratio', `${ratioHeading} req/s`],
  ['reqPerSec', 'req/s'],
  ['p50Ms', 'p50 ms'],
  ['p99Ms', 'p99 ms'],
  ['failed', 'non-2xx/errors'],
];

/** One target's row, its ratios taken against `reference` (by CPU: reference µs ÷ this target's µs). */
export const figuresRow = (f: TargetFigures, reference: TargetFigures): Record<string, string | number | null> => ({
  target: f.name,
  cpuRatio: f.cpuMicrosPerRequest ? cpuRatio(f, reference) : null,
  cpu: f.cpuMicrosPerRequest ?? null,
  ratio: ratio(f.reqPerSec, reference.reqPerSec),
  reqPerSec: f.reqPerSec,
  p50Ms: f.p50Ms,
  p99Ms: f.p99Ms,
  failed: f.non2xx + f.errors,
});

/** Reference CPU per request ÷ this target's: 1 costs the same, 0.5 costs twice as much. */
export const cpuRatio = (f: TargetFigures, reference: TargetFigures): number | null =>
  f.cpuMicrosPerRequest && reference.cpuMicrosPerRequest
    ? ratio(reference.cpuMicrosPerRequest, f.cpuMicrosPerRequest)
    : null;

/** A suite as a plain-text table with its notes and skips. */
export function formatSuite(result: SuiteResult): string {
  const lines = [`== ${result.title}`];
  if (result.rows.length > 0) {
    const cells = [
      result.columns.map(([, heading]) => heading),
      ...result.rows.map((row) => result.columns.map(([key]) => format(row[key]))),
    ];
    const widths = result.columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
    for (const [index, row] of cells.entries()) {
      lines.push(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
      if (index === 0) lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
    }
  }
  for (const note of result.notes) lines.push(`  ${note}`);
  for (const skip of result.skipped) lines.push(`  !!! SKIPPED ${skip}`);
  return lines.join('\n');
}

function format(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  return value;
}
