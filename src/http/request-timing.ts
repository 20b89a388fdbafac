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
  // Node answers 408 itself and closes the connection when REQUEST_TIMEOUT/HEADERS_TIMEOUT passes: no route sees it.
  app.server.on('clientError', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') metrics.requestTimedOut();
  });
}
