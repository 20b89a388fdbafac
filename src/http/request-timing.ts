import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { onEveryResponse } from './on-every-response.js';

/**
 * Times every response into the request-duration histogram (by route template, never the raw URL) and the
 * minute aggregator, from the start of the request's hooks to the response being handed to the socket. Call on
 * the root instance so it sees every route.
 */
export function registerRequestTiming(app: FastifyInstance, metrics: Metrics): void {
  if (!metrics.enabled) return;
  onEveryResponse(app, (request, response, elapsedMs) => {
    metrics.httpRequest(request.routeOptions.url ?? 'unmatched', request.method, response.statusCode, elapsedMs / 1000);
  });
}
