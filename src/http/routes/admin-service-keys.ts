import { Type } from '@sinclair/typebox';
import { TesseraError } from '../../errors/index.js';
import type { ServiceKeyRecord } from '../../auth/service-keys.js';
import type { RouteGroup } from '../route-group.js';
import { Timestamp, responses } from '../schemas.js';

const ServiceKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first 8 characters of the key, to tell keys apart' }),
  createdAt: Timestamp,
  createdBy: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

const view = (k: ServiceKeyRecord) => ({
  ...k,
  createdAt: new Date(k.createdAt).toISOString(),
  revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
});

/** Service keys for backends that read the revocation stream (`tsk_…`; shown once, stored hashed). */
export const adminServiceKeysRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  const { serviceKeys } = deps;
  if (!serviceKeys) return;
  const tags = ['admin'];

  app.get(
    '/v1/admin/service-keys',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'List service keys (never the keys themselves)',
        response: responses({ 200: Type.Object({ serviceKeys: Type.Array(ServiceKey) }) }, [401, 403]),
      },
    },
    async () => ({ serviceKeys: (await serviceKeys.list()).map(view) }),
  );

  app.post(
    '/v1/admin/service-keys',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Create a service key; the key is in this response only',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }) },
          { additionalProperties: false },
        ),
        response: responses(
          { 201: Type.Object({ key: Type.String({ description: 'tsk_…' }), serviceKey: ServiceKey }) },
          [400, 401, 403, 413, 415],
        ),
      },
    },
    async (request, reply) => {
      const actor = request.session!.session.userId;
      const { key, serviceKey } = await serviceKeys.create(request.body.name, {
        by: actor,
        userId: actor,
        ip: request.ip,
      });
      reply.code(201);
      return { key, serviceKey: view(serviceKey) };
    },
  );

  app.delete(
    '/v1/admin/service-keys/:id',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Revoke a service key: its streams close and it opens nothing from now on',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: responses({ 200: Type.Object({ serviceKey: ServiceKey }) }, [401, 403, 404]),
      },
    },
    async (request) => {
      const actor = request.session!.session.userId;
      const revoked = await serviceKeys.revoke(request.params.id, { by: actor, userId: actor, ip: request.ip });
      if (!revoked) throw new TesseraError('not_found', 'No service key has this id.');
      return { serviceKey: view(revoked) };
    },
  );
};
