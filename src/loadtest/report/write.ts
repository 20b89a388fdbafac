import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Report } from './types.js';
import { toCsv } from './csv.js';
import { toHtml } from './html.js';

export type OutputKind = 'json' | 'csv' | 'html' | 'ndjson';

/** Parses `--out json=F` (also `csv=F`, `html=F`). */
export function parseOut(spec: string, errors: string[]): { kind: OutputKind; path: string } | undefined {
  const eq = spec.indexOf('=');
  const kind = spec.slice(0, eq);
  const path = spec.slice(eq + 1);
  if (eq <= 0 || !['json', 'csv', 'html', 'ndjson'].includes(kind) || !path) {
    errors.push(`--out "${spec}" is not json=FILE, csv=FILE, html=FILE or ndjson=FILE`);
    return undefined;
  }
  return { kind: kind as OutputKind, path };
}

export function writeReport(report: Report, out: { kind: OutputKind; path: string }): void {
  mkdirSync(dirname(out.path), { recursive: true });
  const text =
    out.kind === 'json'
      ? JSON.stringify(report, null, 2)
      : out.kind === 'csv'
        ? toCsv(report)
        : out.kind === 'ndjson'
          ? timelineLines(report)
          : toHtml(report);
  writeFileSync(out.path, text);
}

/** ndjson of a finished report (merge, suites): its per-second timeline, then the summary line. */
function timelineLines(report: Report): string {
  const lines = report.timeline.map((p) => JSON.stringify({ type: 'point', ...p }));
  lines.push(JSON.stringify({ type: 'summary', thresholds: report.thresholds, metrics: report.metrics }));
  return `${lines.join('\n')}\n`;
}
