import { Type } from '@sinclair/typebox';
import { parseDuration } from '../../config/duration.js';
import { TesseraError } from '../../errors/registry.js';
import { exportCsv, exportJson, exportPrometheus } from '../../observability/export.js';
import { SummaryStream } from '../../observability/sse.js';
import type { RouteGroup } from '../route-group.js';

const MAX_WINDOW_MS = 7 * 86_400_000;

function windowOf(raw: string | undefined, fallback: string, retentionMs: number): number {
  const ms = parseDuration(raw ?? fallback);
  if (ms === undefined || ms < 60_000 || ms > MAX_WINDOW_MS) {
    throw new TesseraError('invalid_request', undefined, {
      details: [{ field: 'window', message: 'must be a duration from 1m to 7d, such as 1h or 24h' }],
    });
  }
  return Math.min(ms, retentionMs);
}

const Window = Type.String({ maxLength: 16 });
const HistoryQuery = Type.Object({ window: Type.Optional(Window) }, { additionalProperties: false });
const ExportQuery = Type.Object(
  {
    window: Type.Optional(Window),
    format: Type.Optional(
      Type.Unsafe<'json' | 'csv' | 'prometheus'>({ type: 'string', enum: ['json', 'csv', 'prometheus'] }),
    ),
  },
  { additionalProperties: false },
);

/** /v1/admin/metrics/*: summary, history, export and the SSE stream. */
export const adminMetricsRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  const obs = deps.observability;
  if (!obs) return;
  const retention = obs.options.settings.historyRetentionMs;
  app.addHook('preHandler', requireAdmin);

  const disabled = (): never => {
    throw new TesseraError('not_found', 'Metrics are turned off (METRICS_ENABLED=false).');
  };

  const tags = ['observability'];
  app.get(
    '/v1/admin/metrics/summary',
    { schema: { tags, summary: 'Now: rates, percentiles, hit rates, sessions, health score with reasons' } },
    async () => obs.summary(),
  );

  app.get(
    '/v1/admin/metrics/history',
    { schema: { tags, summary: 'One-minute points over a window (1m to 24h)', querystring: HistoryQuery } },
    async (request) => {
      const windowMs = windowOf(request.query.window, '1h', retention);
      if (!obs.history) return disabled();
      return {
        window: request.query.window ?? '1h',
        stepMs: 60_000,
        store: obs.history.storeKind,
        points: await obs.history.history(windowMs),
      };
    },
  );

  app.get(
    '/v1/admin/metrics/export',
    { schema: { tags, summary: 'History as JSON, CSV or Prometheus text', querystring: ExportQuery } },
    async (request, reply) => {
      const windowMs = windowOf(request.query.window, '24h', retention);
      if (!obs.history) return disabled();
      const points = await obs.history.history(windowMs);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      switch (request.query.format ?? 'json') {
        case 'csv':
          reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="tessera-metrics-${stamp}.csv"`);
          return exportCsv(points);
        case 'prometheus':
          reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
          return exportPrometheus(points);
        default:
          reply.header('content-disposition', `attachment; filename="tessera-metrics-${stamp}.json"`);
          return exportJson(points, { window: request.query.window ?? '24h', generatedAt: Date.now() });
      }
    },
  );

  // One computation a second shared by every open stream; ended on close so shutdown never waits for a dashboard.
  const stream = new SummaryStream(() => obs.summary());
  app.addHook('preClose', async () => stream.close());
  app.get(
    '/v1/admin/metrics/stream',
    { schema: { tags, summary: 'Server-Sent Events: one summary a second' } },
    (request, reply) => {
      stream.handle(request, reply);
    },
  );
};
