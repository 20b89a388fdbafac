import type { FastifyInstance, RouteOptions, preHandlerHookHandler } from 'fastify';
import { enterTrace, leaveTrace } from '../store/trace-context.js';
import { newTrace, type RequestTrace } from '../sessions/types.js';
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
  app.decorateRequest('trace', undefined);
  if (debugHeaders) traceRoutes(app);
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

const VALIDATION_PATH = '/v1/auth/session';

/**
 * Opens the request's trace: the handler and everything it awaits count their database and Redis work into it.
 * It is left when the response is done ('close' follows a finished response and an aborted one alike).
 */
const openTrace: preHandlerHookHandler = (request, reply, done) => {
  request.trace ??= newTrace();
  reply.raw.once('close', leaveTrace);
  enterTrace(request.trace, done);
};

const isValidation = (route: RouteOptions): boolean =>
  route.url === VALIDATION_PATH &&
  (Array.isArray(route.method) ? route.method : [route.method]).every((m) => m === 'GET' || m === 'HEAD');

/**
 * Every route but validation enters its trace in a first preHandler. Validation (the hot path) adds nothing: its
 * trace is allocated by authenticate and entered only on its cold path (sessions/validate-session.ts), so an L1 hit
 * costs no hook and no context. Register before the routes (an onRoute hook sees only routes added after it).
 */
function traceRoutes(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (isValidation(route)) return;
    const existing = route.preHandler;
    route.preHandler = existing === undefined ? [openTrace] : [openTrace, ...[existing].flat()];
  });
}
