import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RouteHelpers } from '../deps.js';
import type { CacheAdmin, Observability } from '../../observability/index.js';
import { registerRequestTiming } from '../request-timing.js';
import { adminAlertsRoutes } from './admin-alerts.js';
import { adminCacheRoutes } from './admin-cache.js';
import { adminDashboardRoutes } from './admin-dashboard.js';
import { adminMetricsRoutes } from './admin-metrics.js';
import type { AdminRouteOptions } from './admin-options.js';
import { metricsRoute } from './metrics.js';

/**
 * Everything the observability layer adds to the app, in one call on the root instance: the request-timing
 * hook, GET /metrics, /v1/admin/metrics/*, /v1/admin/alerts*, /v1/admin/cache*, and the /admin dashboard.
 */
export async function registerObservabilityRoutes(
  app: FastifyInstance,
  options: AdminRouteOptions & { cache?: CacheAdmin; metricsToken?: string },
): Promise<void> {
  const obs: Observability = options.observability;
  registerRequestTiming(app, obs.metrics);
  await app.register(metricsRoute, { metrics: obs.metrics, token: options.metricsToken });
  await app.register(adminMetricsRoutes, options);
  await app.register(adminAlertsRoutes, options);
  await app.register(adminCacheRoutes, options);
  await app.register(adminDashboardRoutes);
}

/**
 * The same as an app extension (AppDeps.extensions). Not encapsulated (skip-override, as fastify-plugin does)
 * so the timing hook sees every route of the app, including those registered before it.
 */
export function observabilityExtension(obs: Observability, options: { cache?: CacheAdmin; metricsToken?: string } = {}): FastifyPluginAsync<RouteHelpers> {
  const plugin: FastifyPluginAsync<RouteHelpers> = async (app, helpers) => {
    await registerObservabilityRoutes(app, {
      observability: obs, requireAdmin: helpers.requireAdmin, cache: options.cache, metricsToken: options.metricsToken,
      actor: (request) => request.session?.user.email ?? 'admin',
    });
  };
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
