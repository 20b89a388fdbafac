import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Store } from '../store/types.js';
import type { SessionManager } from '../sessions/session-manager.js';
import type { SessionCache } from '../sessions/session-cache.js';
import type { SessionEntry } from '../sessions/types.js';
import type { UserService } from '../auth/user-service.js';
import type { ServiceKeys } from '../auth/service-keys.js';
import type { InvalidationBus } from '../cache/types.js';
import type { Protection } from '../security/protection.js';
import type { LoadTests } from '../loadtest/service/lazy.js';
import type { CacheAdmin, Observability, Readiness } from '../observability/index.js';

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
  loadTests?: LoadTests;
  /** Metrics, history and alerts: request timing, GET /metrics, /v1/admin/metrics|alerts|cache and the /admin dashboard. */
  observability?: Observability;
  /** Cache stats, warm and flush behind /v1/admin/cache. */
  cacheAdmin?: CacheAdmin;
  /** Service keys (`tsk_…`) behind /v1/admin/service-keys and the revocation stream. */
  serviceKeys?: ServiceKeys;
  /** The invalidation bus: the revocation stream rides it and heartbeats only while it is connected. */
  bus?: InvalidationBus;
}
