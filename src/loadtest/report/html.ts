import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Report } from './types.js';

const require = createRequire(import.meta.url);

function asset(file: string): string {
  return readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown): string =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

function runSection(report: Report, index: number): string {
  const d = report.metrics.http_req_duration.values;
  const f = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(2)} ms`);
  const steps = Object.entries(report.steps)
    .map(
      ([name, s]) =>
        `<tr><td>${escapeHtml(name)}</td><td>${s.reqs}</td><td>${s.rps.toFixed(1)}</td><td>${(s.errorRate * 100).toFixed(2)}%</td><td>${f(s.duration.med)}</td><td>${f(s.duration['p(95)'])}</td><td>${f(s.duration['p(99)'])}</td><td>${f(s.duration.max)}</td><td>${s.cacheHitRate === undefined ? '-' : `${(s.cacheHitRate * 100).toFixed(1)}%`}</td></tr>`,
    )
    .join('');
  const thresholds = Object.entries(report.thresholds)
    .map(
      ([k, r]) =>
        `<li class="${r.ok ? 'ok' : 'fail'}">${r.ok ? '✓' : '✗'} ${escapeHtml(k)} <small>(${r.value ?? ''})</small></li>`,
    )
    .join('');
  const errors = Object.entries(report.errors)
    .map(([k, v]) => `<li>${escapeHtml(k)}: ${v}</li>`)
    .join('');
  const recs = report.recommendations.map((r) => `<li>${escapeHtml(r)}</li>`).join('');
  return `<section class="run">
<h2>${escapeHtml(report.label ?? report.scenario.name)} <span class="grade g${report.grade}">${report.grade}</span></h2>
<p>${escapeHtml(report.scenario.description)} · ${escapeHtml(String(report.config.target))} · ${(report.durationMs / 1000).toFixed(1)} s · ${escapeHtml(report.startedAt)}${report.aborted ? ` · <b>aborted: ${escapeHtml(report.aborted)}</b>` : ''}</p>
<div class="cards">
<div><b>${report.metrics.http_reqs.values.rate}</b><span>req/s</span></div>
<div><b>${f(d.med)}</b><span>p50</span></div><div><b>${f(d['p(95)'])}</b><span>p95</span></div><div><b>${f(d['p(99)'])}</b><span>p99</span></div>
<div><b>${((report.metrics.http_req_failed.values.rate ?? 0) * 100).toFixed(2)}%</b><span>errors</span></div>
<div><b>${report.metrics.dropped_iterations.values.count}</b><span>dropped</span></div>
</div>
<div class="chart" id="lat${index}"></div>
<div class="chart" id="thr${index}"></div>
<h3>Steps</h3>
<table><thead><tr><th>step</th><th>reqs</th><th>req/s</th><th>errors</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>cache hits</th></tr></thead><tbody>${steps}</tbody></table>
${thresholds ? `<h3>Thresholds</h3><ul>${thresholds}</ul>` : ''}
${errors ? `<h3>Errors</h3><ul>${errors}</ul>` : ''}
<h3>Recommendations</h3><ul>${recs}</ul>
<p class="gen">Generator: CPU ${Math.round(report.generator.cpu * 100)}% · event-loop lag p99 ${report.generator.eventLoopLagP99Ms} ms${report.generator.saturated ? ' · <b>saturated: the generator limited these figures</b>' : ''}</p>
</section>`;
}

/** A self-contained HTML report: uPlot inlined, data embedded, no network access needed. */
export function toHtml(report: Report): string {
  const runs = report.runs?.length ? report.runs : [report];
  const series = runs.map((r) => ({
    t: r.timeline.map((p) => p.t),
    p50: r.timeline.map((p) => p.p50),
    p90: r.timeline.map((p) => p.p90),
    p99: r.timeline.map((p) => p.p99),
    rps: r.timeline.map((p) => p.rps),
    err: r.timeline.map((p) => Math.round(p.errorRate * p.rps)),
    vus: r.timeline.map((p) => p.vus),
  }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tessera load test — ${escapeHtml(report.label ?? report.scenario.name)}</title>
<style>${asset('uPlot.min.css')}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
.run{background:#fff;border:1px solid #ddd;border-radius:8px;padding:16px;margin-bottom:24px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.cards div{border:1px solid #eee;border-radius:6px;padding:8px 12px;min-width:90px}
.cards b{display:block;font-size:18px}.cards span{color:#777;font-size:12px}
.grade{display:inline-block;border-radius:6px;padding:0 10px;color:#fff}.gA{background:#2a9d4b}.gB{background:#7cb342}.gC{background:#f0a500}.gD{background:#e66a00}.gF{background:#c62828}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}
.ok{color:#2a9d4b}.fail{color:#c62828}.chart{margin:12px 0}.gen{color:#666}
</style></head><body>
<h1>Tessera load test${report.runs?.length ? ` — suite ${escapeHtml(report.label ?? '')}` : ''}</h1>
${runs.map(runSection).join('\n')}
<script>${asset('uPlot.iife.min.js')}</script>
<script>
const RUNS = ${scriptJson(series)};
const width = () => Math.min(1000, document.body.clientWidth - 60);
RUNS.forEach((s, i) => {
  const t = s.t.length ? s.t : [0];
  const pad = (a) => (a.length ? a : [0]);
  new uPlot({ title: 'Latency (ms) per second', width: width(), height: 260, scales: { x: { time: false } },
    axes: [{ label: 's' }, { label: 'ms' }],
    series: [{}, { label: 'p50', stroke: '#2a9d4b' }, { label: 'p90', stroke: '#f0a500' }, { label: 'p99', stroke: '#c62828' }] },
    [t, pad(s.p50), pad(s.p90), pad(s.p99)], document.getElementById('lat' + i));
  new uPlot({ title: 'Throughput (req/s), errors and VUs', width: width(), height: 220, scales: { x: { time: false } },
    axes: [{ label: 's' }, {}],
    series: [{}, { label: 'req/s', stroke: '#1565c0' }, { label: 'errors/s', stroke: '#c62828' }, { label: 'VUs', stroke: '#888' }] },
    [t, pad(s.rps), pad(s.err), pad(s.vus)], document.getElementById('thr' + i));
});
</script></body></html>
`;
}
