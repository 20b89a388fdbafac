import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Authenticate, RequireAdmin } from './authenticate.js';
import type { AppDeps } from './deps.js';

/** The app as route groups see it: request body, params and query typed from each route's TypeBox schema. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What every route group gets besides the app. */
export interface RouteHelpers {
  deps: AppDeps;
  authenticate: Authenticate;
  requireAdmin: RequireAdmin;
}

/**
 * A set of routes registered by src/http/app.ts, each in its own encapsulated context. A group whose dependency
 * the runtime did not provide (protection, load tests, observability) registers nothing.
 */
export type RouteGroup = (app: TypedApp, helpers: RouteHelpers) => Promise<void>;
