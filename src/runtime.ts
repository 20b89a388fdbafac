import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import { createLogger } from './logger.js';
import { createStore } from './store/create-store.js';
import type { Store } from './store/types.js';
import { closeRedisConnection, createCacheTiers, createL1Cache, createRedisConnection } from './cache/index.js';
import type { Breaker, InvalidationBus, L2Cache } from './cache/types.js';
import { AuditLog } from './audit/audit-log.js';
import { PasswordHasher } from './auth/passwords.js';
import { PermissionResolver } from './auth/permissions.js';
import { UserService } from './auth/user-service.js';
import { NO_LOGIN_PROTECTION } from './auth/login-protection.js';
import { SessionCache } from './sessions/session-cache.js';
import { createStoreLoader } from './sessions/load-from-store.js';
import { SessionToucher } from './sessions/touch-session.js';
import { createSessionValidator } from './sessions/validate-session.js';
import { SessionManager } from './sessions/session-manager.js';
import type { SessionObserver } from './sessions/types.js';
import { JobScheduler } from './jobs/scheduler.js';
import { cleanupSessions } from './sessions/cleanup.js';
import { warmSessions } from './sessions/warm.js';
import type { AppDeps } from './http/deps.js';
import { Observability, observabilitySettings, sessionStatsFromStore, type CacheAdmin, type DependencyStatus } from './observability/index.js';
import { auditMetricsListener, composeObservers, securityWebhookListener, sessionObserver } from './observability/integration.js';
import { observabilityExtension } from './http/routes/observability-routes.js';
import { createProtection } from './security/protection.js';
import { sqlBanStore } from './security/bans-sql.js';
import { LoadTestService } from './loadtest/service/service.js';

export interface Runtime extends AppDeps {
  instanceId: string;
  l2: L2Cache | undefined;
  bus: InvalidationBus;
  breaker: Breaker | undefined;
  permissions: PermissionResolver;
  jobs: JobScheduler;
  observer: SessionObserver;
  observability: Observability;
  loadTests: LoadTestService;
  /** Starts cleanup and warming on their schedules. */
  startJobs(): void;
  /** Stops jobs, closes Redis and the database pool. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  observer?: SessionObserver;
  /** Apply migrations before serving (default: true). */
  migrate?: boolean;
}

/** Builds every service once from a validated config: the one place that wires the layers together. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const instanceId = randomUUID();
  const logger = options.logger ?? createLogger(config);
  const store: Store = await createStore(config);
  if (options.migrate !== false) {
    const applied = await store.migrate();
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }

  const tiers = createCacheTiers(config, {
    instanceId,
    onRedisError: (error) => logger.debug({ err: error }, 'redis connection error'),
  });
  const { l2, bus } = tiers;

  // Observability: its own Redis connection (history, live view, alert state), the store's leases for alerts.
  const obsRedis = config.hasRedis
    ? createRedisConnection(config, 'command', { connectionName: 'tessera:observability', onError: (error) => logger.debug({ err: error }, 'redis connection error') })
    : undefined;
  const observability = await Observability.create({
    settings: observabilitySettings(config), logger, redis: obsRedis, locks: store.locks, instanceId,
    db: store.db,
    dependencies: () => probeDependencies(store, l2, bus),
  });
  const { metrics } = observability;
  const observer: SessionObserver = composeObservers(options.observer, sessionObserver(metrics));
  metrics.setSessionStatsSource(sessionStatsFromStore(store));
  if (tiers.breaker) {
    metrics.breakerState('redis', tiers.breaker.state);
    tiers.breaker.onStateChange((state) => {
      metrics.breakerState('redis', state);
      if (state === 'open') logger.warn('Redis circuit breaker opened: validation falls back to the database');
      else if (state === 'closed') logger.info('Redis circuit breaker closed: Redis is used again');
    });
  }
  if (config.hasRedis) {
    let wasConnected = false;
    bus.onStateChange((connected) => {
      if (connected) logger.info('invalidation bus connected');
      else if (wasConnected) logger.warn('invalidation bus lost: L1 entries are trusted for 1 s only until it is back');
      wasConnected = connected;
    });
  }

  const l1 = createL1Cache<never>({ max: config.sessionL1Max, ttlMs: config.sessionL1Ttl });
  const cache = new SessionCache(l1, l2, bus, { l2TtlMs: config.sessionL2Ttl, negativeTtlMs: config.sessionNegativeTtl, keyPrefix: 'sess:' }, logger);
  const permissions = new PermissionResolver(store.roles);
  const audit = new AuditLog(store.audit, logger);
  if (metrics.enabled) audit.onEvent(auditMetricsListener(metrics));
  if (config.alertWebhook) audit.onEvent(securityWebhookListener(config.alertWebhook, (error) => logger.warn({ err: error }, 'security webhook failed')));

  let sessions: SessionManager | undefined;
  const loadFromStore = createStoreLoader({
    store, permissions, observer, rotationGraceMs: config.sessionRotationGrace,
    onTokenReuse: (sessionId, tokenHash) => sessions!.onTokenReuse(sessionId, tokenHash),
  });
  const toucher = new SessionToucher(store, cache, config.sessionIdleTtl, observer, logger);
  const validate = createSessionValidator(cache, loadFromStore, toucher, observer, config.faultFillDelay);
  sessions = new SessionManager(store, cache, validate, audit, { idleTtlMs: config.sessionIdleTtl, absoluteTtlMs: config.sessionAbsoluteTtl });
  // The protection layer: its own Redis connection (fail-fast, like the cache's), bans on the bus and in the database.
  const protectionRedis = config.hasRedis
    ? createRedisConnection(config, 'command', { connectionName: 'tessera:security', onError: (error) => logger.debug({ err: error }, 'redis connection error (security)') })
    : undefined;
  const protection = createProtection({
    config,
    redis: protectionRedis,
    bus,
    audit: { insert: (event) => audit.record(event.type, event) },
    durableBans: sqlBanStore(store.db),
    clusterWorker: cluster.isWorker,
    // COOKIE_SECURE=true says the service is reached over HTTPS (TLS ends at a proxy): send HSTS everywhere.
    tls: config.cookieSecure,
    logger,
  });
  await protection.start();
  const users = new UserService(store, new PasswordHasher(config.passwordHashConcurrency), permissions, sessions, audit, config.protectionEnabled ? protection.guard : NO_LOGIN_PROTECTION);
  if (config.adminEmail && config.adminPassword) {
    await users.ensureAdmin(config.adminEmail, config.adminPassword);
    logger.info({ email: config.adminEmail }, 'admin account ensured');
  }

  const cacheAdmin: CacheAdmin = {
    stats: async () => ({ l1: l1.stats(), l2: l2 ? await l2.stats() : undefined }),
    warm: async () => ({ warmed: await warmSessions(store, cache, permissions, { windowMs: config.warmWindow, budgetBytes: config.warmBudgetBytes }) }),
    flush: async () => {
      const l1Entries = l1.stats().size;
      return { l1: l1Entries, l2: await cache.flushAll() };
    },
  };

  const loadTests = new LoadTestService({
    repository: store.loadTests, allowHosts: config.loadtestAllowHosts, clientIp: protection.clientIp, protectionEnabled: config.protectionEnabled,
    exemptFromLimits: (ip) => protection.allowlist.contains(ip),
    logger, instanceId,
  });

  const jobs = new JobScheduler(logger);
  const runtime: Runtime = {
    instanceId, config, logger, store, sessions, cache, users, audit, l2, bus, breaker: tiers.breaker, permissions, jobs, observer, observability, protection, loadTests,
    extensions: [observabilityExtension(observability, { cache: cacheAdmin, metricsToken: config.metricsToken })],
    // Dependencies as probed here; score and reasons from the observability health score (traffic, latency, cache, lag too).
    readiness: () => observability.readiness(),
    startJobs() {
      observability.start();
      jobs.start({
        name: 'sessions-cleanup', intervalMs: config.cleanupInterval, runAtStart: false,
        run: async () => {
          const result = await cleanupSessions(store, { batchSize: config.cleanupBatchSize, revokedRetentionMs: config.cleanupRevokedRetention, dryRun: false, lockTtlMs: config.cleanupInterval, owner: instanceId });
          if (!result.skipped) {
            logger.info(result, 'expired sessions cleaned up');
            metrics.cleanupSucceeded(Date.now(), result.deleted);
          }
          return result;
        },
      });
      jobs.start({
        name: 'sessions-warm', intervalMs: config.warmInterval, runAtStart: true,
        run: () => warmSessions(store, cache, permissions, { windowMs: config.warmWindow, budgetBytes: config.warmBudgetBytes }),
      });
    },
    async close() {
      await loadTests.close();
      await jobs.stop();
      await observability.stop().catch(() => {});
      if (obsRedis) await closeRedisConnection(obsRedis).catch(() => {});
      await protection.close().catch(() => {});
      if (protectionRedis) await closeRedisConnection(protectionRedis).catch(() => {});
      await tiers.close().catch(() => {});
      await store.close();
    },
  };
  return runtime;
}

async function probeDependencies(store: Store, l2: L2Cache | undefined, bus: InvalidationBus): Promise<Record<string, DependencyStatus>> {
  const dependencies: Record<string, DependencyStatus> = {};
  try {
    await store.ping();
    dependencies.database = { state: 'up' };
  } catch (error) {
    dependencies.database = { state: 'down', detail: (error as Error).message };
  }
  if (l2) dependencies.redis = l2.available ? { state: 'up' } : { state: 'down', detail: 'circuit breaker open' };
  dependencies.bus = { state: bus.connected ? 'up' : 'down' };
  return dependencies;
}
