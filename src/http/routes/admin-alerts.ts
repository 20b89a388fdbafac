import type { FastifyInstance } from 'fastify';
import { ruleToJson } from '../../observability/alerts/rules.js';
import type { AlertState } from '../../observability/alerts/types.js';
import type { AdminRouteOptions } from './admin-options.js';

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] } as const;

/** /v1/admin/alerts: list by state, acknowledge, resolve, and read/replace the rules (cluster-wide). */
export async function adminAlertsRoutes(app: FastifyInstance, opts: AdminRouteOptions): Promise<void> {
  const alerts = opts.observability.alerts;
  const actor = opts.actor ?? (() => 'admin');
  app.addHook('preHandler', opts.requireAdmin);
  const tags = ['observability'];

  app.get<{ Querystring: { state?: AlertState } }>(
    '/v1/admin/alerts',
    { schema: { tags, summary: 'Alerts, optionally by state', querystring: { type: 'object', additionalProperties: false, properties: { state: { type: 'string', enum: ['pending', 'firing', 'resolved'] } } } } },
    async (request) => ({ alerts: await alerts.list(request.query.state) }),
  );

  app.post<{ Params: { id: string } }>('/v1/admin/alerts/:id/ack', { schema: { tags, summary: 'Acknowledge an alert', params: idParams } }, async (request) => ({
    alert: await alerts.acknowledge(request.params.id, actor(request)),
  }));

  app.post<{ Params: { id: string } }>('/v1/admin/alerts/:id/resolve', { schema: { tags, summary: 'Resolve an alert by hand', params: idParams } }, async (request) => ({
    alert: await alerts.resolve(request.params.id, actor(request)),
  }));

  app.get('/v1/admin/alerts/rules', { schema: { tags, summary: 'Alert rules in force' } }, async () => ({ rules: (await alerts.rules()).map(ruleToJson) }));

  app.put<{ Body: { rules: unknown } }>(
    '/v1/admin/alerts/rules',
    { schema: { tags, summary: 'Replace the alert rules on every instance', body: { type: 'object', required: ['rules'], properties: { rules: { type: 'array', maxItems: 200 } } } } },
    async (request) => ({ rules: (await alerts.setRules(request.body.rules)).map(ruleToJson) }),
  );
}
