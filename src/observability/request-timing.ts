import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

/**
 * Times every response into the request-duration histogram (by route template, never the raw URL) and the
 * minute aggregator. One onResponse hook; Fastify already measures `reply.elapsedTime` from the start of the
 * request, so no onRequest hook is needed. Call on the root instance so it sees every route.
 */
export function registerRequestTiming(app: FastifyInstance, metrics: Metrics): void {
  if (!metrics.enabled) return;
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
