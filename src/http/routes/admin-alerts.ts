import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ruleToJson } from '../../observability/alerts/rules.js';
import type { AlertState } from '../../observability/alerts/types.js';
import type { RouteGroup } from '../route-group.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ListQuery = Type.Object(
  { state: Type.Optional(Type.Unsafe<AlertState>({ type: 'string', enum: ['pending', 'firing', 'resolved'] })) },
  { additionalProperties: false },
);
const RulesBody = Type.Object({ rules: Type.Unsafe<unknown[]>({ type: 'array', maxItems: 200 }) });

/** Who acknowledged or resolved an alert: the admin's email (requireAdmin has set the session). */
const actor = (request: FastifyRequest): string => request.session?.user.email ?? 'admin';

/** /v1/admin/alerts: list by state, acknowledge, resolve, and read/replace the rules (cluster-wide). */
export const adminAlertsRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  if (!deps.observability) return;
  const alerts = deps.observability.alerts;
  app.addHook('preHandler', requireAdmin);
  const tags = ['observability'];

  app.get(
    '/v1/admin/alerts',
    { schema: { tags, summary: 'Alerts, optionally by state', querystring: ListQuery } },
    async (request) => ({ alerts: await alerts.list(request.query.state) }),
  );

  app.post(
    '/v1/admin/alerts/:id/ack',
    { schema: { tags, summary: 'Acknowledge an alert', params: IdParams } },
    async (request) => ({
      alert: await alerts.acknowledge(request.params.id, actor(request)),
    }),
  );

  app.post(
    '/v1/admin/alerts/:id/resolve',
    { schema: { tags, summary: 'Resolve an alert by hand', params: IdParams } },
    async (request) => ({
      alert: await alerts.resolve(request.params.id, actor(request)),
    }),
  );

  app.get('/v1/admin/alerts/rules', { schema: { tags, summary: 'Alert rules in force' } }, async () => ({
    rules: (await alerts.rules()).map(ruleToJson),
  }));

  app.put(
    '/v1/admin/alerts/rules',
    { schema: { tags, summary: 'Replace the alert rules on every instance', body: RulesBody } },
    async (request) => ({ rules: (await alerts.setRules(request.body.rules)).map(ruleToJson) }),
  );
};
