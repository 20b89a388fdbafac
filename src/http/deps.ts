import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Store } from '../store/types.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { SessionCache } from '../sessions/session-cache.js';
import type { SessionEntry } from '../sessions/types.js';
import type { UserService } from '../auth/user-service.js';
import type { Authenticate } from './authenticate.js';
import type { Protection } from '../security/protection.js';
import type { LoadTestService } from '../loadtest/service/service.js';
import type { Readiness } from '../observability/index.js';

/** Everything the HTTP layer needs, wired once by the runtime. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  store: Store;
  sessions: SessionManager;
  cache: SessionCache;
  users: UserService<SessionEntry>;
  audit: AuditLog;
  readiness(): Promise<Readiness>;
  /** Rate limits, brute-force guard, reputation, bans, anomaly rules, security headers (src/security). */
  protection?: Protection;
  /** Load tests run by the server (/v1/admin/loadtests). */
  loadTests?: LoadTestService;
  /** Route groups and hooks contributed by other layers (observability, security); each receives the app helpers. */
  extensions?: Array<FastifyPluginAsync<RouteHelpers>>;
}

/** What every route plugin gets besides the deps. */
export interface RouteHelpers {
  deps: AppDeps;
  authenticate: Authenticate;
  requireAdmin: (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => Promise<void>;
}
