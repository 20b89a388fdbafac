import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { measureInterleaved, ratio, type TargetFigures } from '../interleave.js';
import { asLoginLoad } from '../login-load.js';
import { figuresColumns, figuresRow } from '../report.js';
import { startTarget, stopAll, type TargetHandle } from '../targets.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import { LOGIN_LOAD_ENV } from './login.js';
import type { Suite } from './types.js';

/** Limits raised, not removed: every request is counted against them (and the spike rule) and none is refused. */
const RAISED_LIMITS = { ...LOGIN_LOAD_ENV, ANOMALY_SPIKE_PER_10S: '10000000' };

/** One protection feature: its PROTECTION_FEATURES name and how the table calls it. */
const FEATURES = [
  { name: 'audit', label: 'security/audit logging' },
  { name: 'anomalies', label: 'anomaly detection' },
  { name: 'rate-limits', label: 'rate limits + brute-force guard' },
  { name: 'reputation', label: 'IP reputation' },
  { name: 'alerts', label: 'alert dispatch' },
] as const;

interface SecurityVariant {
  name: string;
  env: Record<string, string>;
}

const OFF = 'protection off';
const BASE = 'base (lists, bans)';

/** Protection off; the base; each feature added in turn (the last row is every feature: the default); each alone. */
function variants(): SecurityVariant[] {
  const on = (features: string[]) => ({
    PROTECTION_ENABLED: 'true',
    PROTECTION_FEATURES: features.join(',') || 'none',
  });
  const out: SecurityVariant[] = [
    { name: OFF, env: { PROTECTION_ENABLED: 'false', PROTECTION_FEATURES: 'none' } },
    { name: BASE, env: on([]) },
  ];
  FEATURES.forEach((feature, i) =>
    out.push({ name: `+ ${feature.label}`, env: on(FEATURES.slice(0, i + 1).map((f) => f.name)) }),
  );
  // Audit alone is the first build-up row.
  for (const feature of FEATURES.slice(1)) out.push({ name: `${feature.label} alone`, env: on([feature.name]) });
  return out;
}

type Route = 'login' | 'sessions';
const ROUTES: Array<{ route: Route; title: string }> = [
  { route: 'login', title: 'POST /v1/auth/login' },
  { route: 'sessions', title: 'GET /v1/auth/sessions (authenticated; per-IP and per-user limits apply)' },
];

/**
 * What each protection feature costs on a login and on an authenticated API route where the limits apply: the
 * same Tessera with protection off, the base, each feature added one at a time, and each alone, interleaved.
 * Limits are raised (not removed) so every request is counted against them and none is refused.
 */
export const securitySuite: Suite = {
  name: 'security',
  description:
    'the cost of each protection feature (audit, anomalies, rate limits, reputation, alerts) on a login and an authenticated route',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const sink = await startWebhookSink();
    const rows: SuiteResult['rows'] = [];
    const summary: Record<string, unknown> = {};
    try {
      for (const { route, title } of ROUTES) {
        settings.log(`  ${title}`);
        // Logins at twice as many connections as hash slots: the hasher kept busy, its queue never shedding.
        const connections = route === 'login' ? availableParallelism() * 2 : settings.connections;
        const figures = await measureRoute(route, { ...settings, connections }, sink.url);
        const off = figures.find((f) => f.name === OFF)!;
        const all = figures.find((f) => f.name === `+ ${FEATURES.at(-1)!.label}`)!;
        for (const f of figures)
          rows.push({
            route: route === 'login' ? 'login' : 'sessions',
            ...figuresRow(f, off),
            costCpu: f === off ? null : cpuCost(f, off),
            rssMb: f.rssMb,
          });
        summary[route] = {
          allFeaturesCostPercentCpu: cpuCost(all, off),
          allFeaturesThroughputRatio: ratio(all.reqPerSec, off.reqPerSec),
          targets: figures,
        };
      }
    } finally {
      await sink.close();
    }
    return {
      suite: 'security',
      title: 'Security: the cost of each protection feature, built up one at a time and alone (÷ protection off)',
      columns: [['route', 'route'], ...figuresColumns('÷ off'), ['costCpu', 'cost % (CPU)'], ['rssMb', 'RSS MB']],
      rows,
      summary,
      notes: [
        'cost % (CPU) = CPU µs per request with the row\'s features ÷ with protection off − 1; "+ alert dispatch" is every feature (the default)',
        'base: PROTECTION_ENABLED=true with PROTECTION_FEATURES=none (client address, allow/deny lists, bans); protection off: PROTECTION_ENABLED=false',
        `limits raised (${Object.keys(RAISED_LIMITS).join(', ')} = 10 000 000) so every request is counted and none refused; TESSERA_ALERT_WEBHOOK points at a local sink`,
        `logins at ${availableParallelism() * 2} connections (twice the hash slots); the authenticated route at ${settings.connections}`,
        'under this load no notable security event fires, so alert dispatch has nothing to send: its row shows the cost of being ready',
      ],
      skipped: [],
    };
  },
};

const cpuCost = (f: TargetFigures, off: TargetFigures): number | null =>
  f.cpuMicrosPerRequest && off.cpuMicrosPerRequest
    ? Math.round((f.cpuMicrosPerRequest / off.cpuMicrosPerRequest - 1) * 1000) / 10
    : null;

async function measureRoute(
  route: Route,
  settings: BenchSettings,
  webhookUrl: string,
): Promise<Array<TargetFigures & { rssMb: number }>> {
  const started: TargetHandle[] = [];
  try {
    const loads: TargetHandle[] = [];
    for (const variant of variants()) {
      settings.log(`  starting ${variant.name}`);
      const target = await startTarget(
        variant.name,
        { kind: 'tessera', env: { ...RAISED_LIMITS, TESSERA_ALERT_WEBHOOK: webhookUrl, ...variant.env } },
        settings,
      );
      started.push(target);
      loads.push(route === 'login' ? await asLoginLoad(target, true) : sessionsLoad(target));
    }
    const figures = await measureInterleaved(loads, settings);
    return Promise.all(
      figures.map(async (f, i) => ({ ...f, rssMb: Math.round((await started[i].rssBytes()) / 1e5) / 10 })),
    );
  } finally {
    await stopAll(started);
  }
}

/** The signed-in target (log-in.ts) loaded with GET /v1/auth/sessions under the same session. */
function sessionsLoad(target: TargetHandle): TargetHandle {
  return { ...target, info: { ...target.info, url: `${new URL(target.info.url).origin}/v1/auth/sessions` } };
}

/** Receives the alert webhook's POSTs (and drops them), so alert dispatch has somewhere to send. */
async function startWebhookSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
