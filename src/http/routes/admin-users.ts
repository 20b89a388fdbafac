import { Type } from '@sinclair/typebox';
import type { RouteGroup } from '../route-group.js';
import { responses } from '../schemas.js';

const Role = Type.String({ pattern: '^[a-z][a-z0-9_:-]{0,63}$' });

/** Find users and change their roles (every instance's permission cache sees it at once). */
export const adminUsersRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  const { store, users } = deps;
  const tags = ['admin'];

  app.get(
    '/v1/admin/users',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Find users by email',
        querystring: Type.Object(
          {
            email: Type.Optional(Type.String({ maxLength: 320 })),
            tenant: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$' })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ users: Type.Array(Type.Ref('User')) }) }, [400, 401, 403]),
      },
    },
    async (request) => {
      const q = request.query;
      const found = await store.users.search({
        email: q.email?.trim().toLowerCase(),
        tenant: q.tenant,
        limit: Math.min(Number(q.limit ?? 50) || 50, 500),
      });
      return { users: await Promise.all(found.map((u) => users.view(u))) };
    },
  );

  app.put(
    '/v1/admin/users/:id/roles',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: "Replace a user's roles",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ roles: Type.Array(Role, { maxItems: 32 }) }, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ user: Type.Ref('User') }) }, [400, 401, 403, 404, 415]),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { roles } = request.body;
      const actor = request.session!;
      return { user: await users.setRoles(id, roles, { userId: actor.session.userId, ip: request.ip }) };
    },
  );
};
