import type { FastifyInstance } from 'fastify';
import type { RequestTrace } from '../sessions/types.js';
import type { DrainState } from './drain.js';
import { onEveryResponse } from './on-every-response.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Timing of this request's cache/database/Redis work; present only when debug headers are on. */
    trace: RequestTrace | undefined;
  }
}

/**
 * X-Request-Id and X-Response-Time on every response; with debug headers on, Server-Timing
 * (total, cache tier, db, redis) and X-DB-Queries too; and `Connection: close` once the app is closing.
 */
export function registerResponseHeaders(app: FastifyInstance, debugHeaders: boolean, drain: DrainState): void {
  // The trace is allocated by authenticate (the path that records into it), not by a hook on every request.
  app.decorateRequest('trace', undefined);
  onEveryResponse(app, (request, response, elapsedMs) => {
    const total = elapsedMs.toFixed(2);
    // A keep-alive connection busy when close() began would stay open after its response and hold the
    // shutdown up until the client dropped it: its last response tells the client to close it.
    if (drain.draining) response.header('connection', 'close');
    response.header('x-request-id', request.id);
    response.header('x-response-time', `${total}ms`);
    if (!debugHeaders) return;
    const trace = request.trace;
    if (trace === undefined) {
      response.header('server-timing', `total;dur=${total}`);
      response.header('x-db-queries', '0');
    } else {
      // Server-Timing names tiers in upper case (L1, L2, DB), as documented; metric labels keep them in lower case.
      const cache = trace.tier === undefined ? '' : `, cache;desc="${trace.tier.toUpperCase()}"`;
      response.header(
        'server-timing',
        `total;dur=${total}${cache}, db;dur=${trace.dbMs.toFixed(2)}, redis;dur=${trace.redisMs.toFixed(2)}`,
      );
      response.header('x-db-queries', String(trace.dbQueries));
    }
  });
}
