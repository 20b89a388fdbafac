import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from './deps.js';
import type { RouteGroup, RouteHelpers } from './route-group.js';
import { registerErrorHandling } from './error-handler.js';
import { registerJsonBodies } from './json-body.js';
import { registerResponseHeaders } from './response-headers.js';
import { registerDrain } from './drain.js';
import { limitConnections, serverOptionsFor, type ConnectionLimits } from './connections.js';
import { requestIdFor } from './request-id.js';
import { registerRequestTiming } from './request-timing.js';
import { createAuthenticate, createRequireAdmin } from './authenticate.js';
import { SHARED_SCHEMAS } from './schemas.js';
import { authRoutes } from './routes/auth.js';
import { sessionRoutes } from './routes/session.js';
import { sessionsListRoutes } from './routes/sessions-list.js';
import { adminUsersRoutes } from './routes/admin-users.js';
import { operationsRoutes } from './routes/operations.js';
import securityPlugin, { withProtection } from './plugins/security.js';
import { adminSecurityRoutes } from './routes/admin-security.js';
import { adminLoadTestsRoutes } from './routes/admin-loadtests.js';
import { metricsRoutes } from './routes/metrics.js';
import { adminMetricsRoutes } from './routes/admin-metrics.js';
import { adminAlertsRoutes } from './routes/admin-alerts.js';
import { adminCacheRoutes } from './routes/admin-cache.js';
import { adminCacheAdviceRoutes } from './routes/admin-cache-advice.js';
import { adminDashboardRoutes } from './routes/admin-dashboard.js';
import { adminServiceKeysRoutes } from './routes/admin-service-keys.js';
import { revocationRoutes } from './routes/revocations.js';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** Every route group of the app, in registration order (the order of the paths in /docs). */
const ROUTE_GROUPS: readonly RouteGroup[] = [
  operationsRoutes,
  authRoutes,
  sessionRoutes,
  sessionsListRoutes,
  adminUsersRoutes,
  adminSecurityRoutes,
  adminLoadTestsRoutes,
  metricsRoutes,
  adminMetricsRoutes,
  adminAlertsRoutes,
  adminCacheRoutes,
  adminCacheAdviceRoutes,
  adminDashboardRoutes,
  adminServiceKeysRoutes,
  revocationRoutes,
];

/** The Fastify app: JSON only, one error shape, one plugin per route group. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const limits: ConnectionLimits = {
    requestTimeout: config.requestTimeout,
    headersTimeout: config.headersTimeout,
    keepAliveTimeout: config.keepAliveTimeout,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    exempt: [...config.connectionLimitExempt, ...config.ipAllowlist],
  };
  const root = Fastify({
    // Handed to http.createServer; limitConnections below sets the timeouts on the server again, whoever made it.
    http: serverOptionsFor(limits),
    // No Fastify logger: with one, Fastify builds a child logger and adds response listeners on every request
    // (about 7 µs, a fifth of the hot path). Tessera logs through deps.logger where something happens
    // (errors: error-handler.ts), with the request id; request.log is a no-op.
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Fastify accepts a hop count too, though its types omit it.
    trustProxy: config.trustProxy as boolean | string[],
    genReqId: requestIdFor,
    // Fastify's own 503 while closing has its own body, not the one error shape: requests that still arrive
    // on open keep-alive connections are served (with Connection: close) within SHUTDOWN_TIMEOUT instead.
    return503OnClosing: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: true } },
  });
  limitConnections(root.server, limits, deps.logger);
  // The same instance, typed: route handlers see request.body/params/query as their TypeBox schemas describe them.
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  registerJsonBodies(app, config.jsonMaxDepth);
  registerErrorHandling(app, deps.logger);
  registerResponseHeaders(app, config.debugHeaders, registerDrain(app));
  // Before every route: its hooks must see them all (client IP, limits, bans, reputation, security headers).
  if (deps.protection) await app.register(securityPlugin, { protection: deps.protection });
  if (deps.observability) registerRequestTiming(app, deps.observability.metrics);
  app.decorateRequest('session', undefined);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tessera', version: '0.1.0', description: 'Sessions and authentication with a tiered cache.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'tessera_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  const validateOnly = createAuthenticate({
    validate: deps.sessions.validate,
    allowedOrigins: config.allowedOrigins,
    traceRequests: config.debugHeaders,
  });
  // Authenticated routes also count against the per-user limit (validation excepted, see plugins/security.ts).
  const authenticate = deps.protection ? withProtection(deps.protection, validateOnly) : validateOnly;
  const helpers: RouteHelpers = { deps, authenticate, requireAdmin: createRequireAdmin(authenticate) };

  for (const group of ROUTE_GROUPS) await app.register(group, helpers);
  return root;
}
