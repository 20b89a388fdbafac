import { Type } from '@sinclair/typebox';
import type { RouteGroup } from '../route-group.js';
import { clientInfo } from '../client-info.js';
import { Email, Password, Tenant, responses } from '../schemas.js';

const Role = Type.String({ pattern: '^[a-z][a-z0-9_:-]{0,63}$' });
/** At most 500 accounts a request (about 45 KiB of JSON, under the 64 KiB body limit). */
const BULK_MAX = 500;
const BulkBody = Type.Object(
  {
    users: Type.Array(
      Type.Object(
        {
          email: Email,
          password: Password,
          name: Type.Optional(Type.String({ maxLength: 200 })),
          tenant: Type.Optional(Tenant),
          roles: Type.Optional(Type.Array(Role, { maxItems: 32 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: BULK_MAX },
    ),
  },
  { additionalProperties: false },
);

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

  app.post(
    '/v1/admin/users/bulk',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: `Create up to ${BULK_MAX} accounts at once (not subject to the signup limits); existing emails are counted, not changed`,
        body: BulkBody,
        response: responses(
          { 200: Type.Object({ created: Type.Integer(), existing: Type.Integer() }) },
          [400, 401, 403, 413, 415],
        ),
      },
    },
    async (request) => users.createMany(request.body.users, clientInfo(request)),
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
