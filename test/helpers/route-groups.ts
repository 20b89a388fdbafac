import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TesseraError } from '../../src/errors/index.js';
import type { RequireAdmin } from '../../src/http/authenticate.js';
import type { AppDeps } from '../../src/http/deps.js';
import type { RouteGroup, RouteHelpers } from '../../src/http/route-group.js';
import type { SessionEntry } from '../../src/sessions/types.js';

/**
 * Route helpers for a test app that mounts a few route groups without a whole runtime: only the deps given exist,
 * and `authenticate` refuses everyone (the groups under test use requireAdmin).
 */
export function testRouteHelpers(deps: Partial<AppDeps>, requireAdmin: RequireAdmin): RouteHelpers {
  return {
    deps: deps as AppDeps,
    authenticate: () => {
      throw new TesseraError('unauthenticated');
    },
    requireAdmin,
  };
}

/** Registers route groups on a plain Fastify app, as src/http/app.ts does on the real one. */
export async function registerRouteGroups(
  app: FastifyInstance,
  groups: readonly RouteGroup[],
  helpers: RouteHelpers,
): Promise<void> {
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const group of groups) await typed.register(group, helpers);
}

/** What requireAdmin leaves on the request: the admin's session (route groups read the acting admin from it). */
export function actAsAdmin(request: FastifyRequest, admin: { id?: string; email?: string }): void {
  request.session = {
    user: { id: admin.id ?? 'admin', email: admin.email ?? 'admin@example.com', roles: ['admin'] },
  } as SessionEntry;
}
