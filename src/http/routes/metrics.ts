import { timingSafeEqual } from 'node:crypto';
import { TesseraError } from '../../errors/registry.js';
import type { RouteGroup } from '../route-group.js';

/**
 * GET /metrics: Prometheus text exposition, behind `Authorization: Bearer METRICS_TOKEN` when one is set. In
 * production without a token it answers 401 to everyone: the metrics name routes, users' activity and the
 * service's internals, which the public listener must not give away by default.
 */
export const metricsRoutes: RouteGroup = async (app, { deps }) => {
  const metrics = deps.observability?.metrics;
  if (!metrics?.enabled) return;
  const token = deps.config.metricsToken;
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  const closed = !expected && deps.config.nodeEnv === 'production';
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (closed) throw new TesseraError('unauthenticated', 'Metrics are off in production until METRICS_TOKEN is set.');
    if (expected) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        throw new TesseraError('unauthenticated', 'A valid metrics token is required.');
    }
    reply.header('content-type', metrics.contentType).header('cache-control', 'no-store');
    return metrics.text();
  });
};
