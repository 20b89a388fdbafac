import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { TesseraError } from '../../errors/registry.js';
import type { Metrics } from '../../observability/metrics.js';

/** GET /metrics: Prometheus text exposition, behind `Authorization: Bearer METRICS_TOKEN` when one is set. */
export async function metricsRoute(app: FastifyInstance, opts: { metrics: Metrics; token?: string }): Promise<void> {
  if (!opts.metrics.enabled) return;
  const expected = opts.token ? Buffer.from(`Bearer ${opts.token}`) : undefined;
  app.get('/metrics', { schema: { hide: true } as Record<string, unknown> }, async (request, reply) => {
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TesseraError('unauthenticated', 'A valid metrics token is required.');
    }
    reply.header('content-type', opts.metrics.contentType).header('cache-control', 'no-store');
    return opts.metrics.text();
  });
}
