import { Type } from '@sinclair/typebox';
import type { RouteGroup } from '../route-group.js';

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  score: Type.Integer({ minimum: 0, maximum: 100 }),
  dependencies: Type.Array(
    Type.Object({ name: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) }),
  ),
  reasons: Type.Array(Type.Object({ points: Type.Number(), reason: Type.String() })),
});

/** Liveness, readiness and the OpenAPI description (unless DOCS_ENABLED=false). */
export const operationsRoutes: RouteGroup = async (app, { deps }) => {
  const tags = ['operations'];

  app.get(
    '/health',
    {
      schema: {
        tags,
        summary: 'Liveness: 200 while the process can serve',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags,
        summary: 'Readiness: each dependency and a 0–100 health score',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const r = await deps.readiness();
      if (!r.ready) reply.code(503).header('retry-after', '5');
      const dependencies = Object.entries(r.dependencies).map(([name, d]) => ({
        name,
        ok: d.state !== 'down',
        ...(d.detail ? { detail: d.detail } : {}),
      }));
      const reasons = r.health.deductions.map(({ points, reason }) => ({ points, reason }));
      return {
        status: r.ready ? ('ready' as const) : ('unavailable' as const),
        score: r.health.score,
        dependencies,
        reasons,
      };
    },
  );

  // DOCS_ENABLED=false: no /docs (404), so the public listener does not publish the API's description.
  if (deps.config.docsEnabled !== false) app.get('/docs', { schema: { hide: true } }, async () => app.swagger());
};
