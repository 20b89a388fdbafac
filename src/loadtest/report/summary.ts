import type { Report } from './types.js';
import { asText } from '../as-text.js';

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
const ms = (v: number | undefined): string =>
  v === undefined ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(2)}ms`;
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** The end-of-run text summary (stdout). */
export function formatSummary(report: Report): string {
  const m = report.metrics;
  const d = m.http_req_duration.values;
  const lines: string[] = [];
  const seconds = report.durationMs / 1000;
  lines.push(
    `${report.label ? `${report.label}: ` : ''}scenario ${report.scenario.name} (${report.scenario.description}) against ${String(report.config.target)}`,
  );
  lines.push(
    `  ${seconds.toFixed(1)}s, ${asText(report.config.model)} model${report.config.profile ? `, profile ${asText(report.config.profile)}` : ''}, ${String(report.config.workers)} thread(s)`,
  );
  if (report.aborted) lines.push(`  ABORTED: ${report.aborted}`);
  lines.push('');
  lines.push(`  http_reqs ............ ${m.http_reqs.values.count}  ${m.http_reqs.values.rate}/s`);
  lines.push(
    `  http_req_duration .... min ${ms(d.min)}  avg ${ms(d.avg)}  p50 ${ms(d.med)}  p90 ${ms(d['p(90)'])}  p95 ${ms(d['p(95)'])}  p99 ${ms(d['p(99)'])}  max ${ms(d.max)}`,
  );
  lines.push(
    `  http_req_failed ...... ${pct(m.http_req_failed.values.rate)}  (${m.http_req_failed.values.passes} of ${m.http_reqs.values.count})`,
  );
  lines.push(
    `  iterations ........... ${m.iterations.values.count}  ${m.iterations.values.rate}/s   iteration_duration p95 ${ms(m.iteration_duration.values['p(95)'])}`,
  );
  if (m.dropped_iterations.values.count > 0)
    lines.push(`  dropped_iterations ... ${m.dropped_iterations.values.count}`);
  if (m.checks.values.passes + m.checks.values.fails > 0)
    lines.push(`  checks ............... ${pct(m.checks.values.rate)}  (${m.checks.values.fails} failed)`);
  lines.push(`  vus .................. max ${m.vus.values.max}`);
  const errors = Object.entries(report.errors).sort((a, b) => b[1] - a[1]);
  if (errors.length)
    lines.push(
      `  error kinds .......... ${errors
        .slice(0, 8)
        .map(([k, v]) => `${k} ×${v}`)
        .join(', ')}`,
    );
  for (const [k, v] of Object.entries(report.scenario.results))
    lines.push(
      `  ${pad(k + ' ', 21).replace(/ (?= *$)/g, '.')} ${typeof v === 'number' && v <= 1 && /rate|share/.test(k) ? pct(v) : v}`,
    );

  const steps = Object.entries(report.steps);
  if (steps.length > 1 || (steps.length === 1 && steps[0][0] !== 'url')) {
    lines.push('');
    lines.push(
      `  ${pad('step', 18)}${lpad('reqs', 9)}${lpad('req/s', 9)}${lpad('errors', 8)}${lpad('p50', 10)}${lpad('p95', 10)}${lpad('p99', 10)}${lpad('cache', 8)}`,
    );
    for (const [name, s] of steps) {
      lines.push(
        `  ${pad(name, 18)}${lpad(String(s.reqs), 9)}${lpad(s.rps.toFixed(1), 9)}${lpad(pct(s.errorRate), 8)}${lpad(ms(s.duration.med), 10)}${lpad(ms(s.duration['p(95)']), 10)}${lpad(ms(s.duration['p(99)']), 10)}${lpad(s.cacheHitRate === undefined ? '-' : pct(s.cacheHitRate), 8)}`,
      );
    }
  }
  const thresholds = Object.entries(report.thresholds);
  if (thresholds.length) {
    lines.push('');
    for (const [key, r] of thresholds)
      lines.push(`  ${r.ok ? '✓' : '✗'} ${key}${r.value !== undefined ? `  (${r.value})` : ''}`);
  }
  if (report.breakpoint)
    lines.push(
      '',
      `  breakpoint: highest sustainable rate ${report.breakpoint.sustainableRate} iterations/s (tried up to ${report.breakpoint.highestRateTried}/s)`,
    );
  lines.push('');
  const g = report.generator;
  lines.push(
    `  generator: CPU ${Math.round(g.cpu * 100)}% of a core over ${g.threads} thread(s), event-loop lag p99 ${g.eventLoopLagP99Ms} ms, busiest thread ${Math.round((g.eventLoopUtilization ?? 0) * 100)}% busy${g.saturated ? `  — SATURATED: ${g.reasons.join(', ')}; the generator, not the target, limited these figures` : ''}`,
  );
  const t = report.target;
  if (t.scraped)
    lines.push(
      `  target /metrics: ${[t.cacheHitRate !== undefined ? `cache hit rate ${pct(t.cacheHitRate)}` : '', t.eventLoopLagP99Ms !== undefined ? `event-loop lag ${t.eventLoopLagP99Ms} ms` : '', t.cpu !== undefined ? `CPU ${Math.round(t.cpu * 100)}%` : ''].filter(Boolean).join(', ') || 'scraped (no known families)'}`,
    );
  if (report.comparison) {
    lines.push('', `  against baseline ${report.comparison.baseline} (tolerance ${report.comparison.tolerancePct}%):`);
    for (const v of report.comparison.verdicts)
      lines.push(
        `    ${v.regressed ? '✗ REGRESSED' : '✓'} ${v.metric}: ${v.baseline} → ${v.current} (${signed(v.changePct)}${v.ciPct ? `, 95% CI ${signed(v.ciPct[0])} … ${signed(v.ciPct[1])}` : ''})`,
      );
  }
  if (report.comparison)
    lines.push(
      `    (a regression: the change's whole 95% interval beyond ${report.comparison.tolerancePct}%; per-second windows, bootstrap)`,
    );
  lines.push('', `  grade ${report.grade}`);
  for (const r of report.recommendations) lines.push(`  - ${r}`);
  return lines.join('\n');
}

const signed = (pct: number): string => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
