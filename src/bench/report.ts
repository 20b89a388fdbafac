import type { TargetFigures } from './interleave.js';
import type { SuiteResult } from './types.js';

export const figuresColumns = (ratioHeading = 'ratio'): SuiteResult['columns'] => [
  ['target', 'target'],
  ['reqPerSec', 'req/s'],
  ['p50Ms', 'p50 ms'],
  ['p99Ms', 'p99 ms'],
  ['ratio', ratioHeading],
  ['cpu', 'CPU µs/req'],
  ['failed', 'non-2xx/errors'],
];

export const figuresRow = (f: TargetFigures, ratio: number | null): Record<string, string | number | null> => ({
  target: f.name,
  reqPerSec: f.reqPerSec,
  p50Ms: f.p50Ms,
  p99Ms: f.p99Ms,
  ratio,
  cpu: f.cpuMicrosPerRequest ?? null,
  failed: f.non2xx + f.errors,
});

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
