import type { Report } from './types.js';
import { asText } from '../as-text.js';

const COLUMNS = [
  'scope',
  'name',
  'count',
  'rate',
  'avg',
  'min',
  'med',
  'max',
  'p(90)',
  'p(95)',
  'p(99)',
  'passes',
  'fails',
  'error_rate',
  'cache_hit_rate',
];

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = asText(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per metric and one per step. */
export function toCsv(report: Report): string {
  const rows: string[] = [COLUMNS.join(',')];
  for (const [name, metric] of Object.entries(report.metrics)) {
    const v = metric.values;
    rows.push(
      [
        'metric',
        name,
        v.count ?? v.value,
        v.rate,
        v.avg,
        v.min,
        v.med,
        v.max,
        v['p(90)'],
        v['p(95)'],
        v['p(99)'],
        v.passes,
        v.fails,
        '',
        '',
      ]
        .map(cell)
        .join(','),
    );
  }
  for (const [name, s] of Object.entries(report.steps)) {
    const d = s.duration;
    rows.push(
      [
        'step',
        name,
        s.reqs,
        s.rps,
        d.avg,
        d.min,
        d.med,
        d.max,
        d['p(90)'],
        d['p(95)'],
        d['p(99)'],
        s.reqs - s.failed,
        s.failed,
        s.errorRate,
        s.cacheHitRate,
      ]
        .map(cell)
        .join(','),
    );
  }
  return rows.join('\n') + '\n';
}
