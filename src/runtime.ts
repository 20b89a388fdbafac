import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config/index.js';
import { createLogger } from './logger.js';
import type { Breaker, InvalidationBus, L2Cache } from './cache/types.js';
import { PasswordHasher } from './auth/passwords.js';
import type { PermissionResolver } from './auth/permissions.js';
import { UserService } from './auth/user-service.js';
import { ServiceKeys } from './auth/service-keys.js';
import { NO_LOGIN_PROTECTION } from './auth/login-protection.js';
import type { SessionObserver } from './sessions/types.js';
import { JobScheduler } from './jobs/scheduler.js';
import type { AppDeps } from './http/deps.js';
import type { CacheAdmin, Observability } from './observability/index.js';
import { composeObservers, sessionObserver } from './observability/integration.js';
import { LazyLoadTestService, type LoadTests } from './loadtest/service/lazy.js';
import { closeInReverse, type Layer } from './wiring/layer.js';
import { buildStoreLayer } from './wiring/store-layer.js';
import { buildCacheLayer } from './wiring/cache-layer.js';
import { createRedisTiming } from './wiring/redis-timing.js';
import { buildObservabilityLayer } from './wiring/observability-layer.js';
import { buildSessionLayer } from './wiring/session-layer.js';
import { buildProtectionLayer } from './wiring/protection-layer.js';
import { startSessionJobs } from './wiring/jobs.js';
import { buildWarmingLayer } from './wiring/warming-layer.js';
import type { WarmingService } from './sessions/warming/service.js';

export interface Runtime extends AppDeps {
  instanceId: string;
  l2: L2Cache | undefined;
  bus: InvalidationBus;
  breaker: Breaker | undefined;
  permissions: PermissionResolver;
  jobs: JobScheduler;
  observer: SessionObserver;
  observability: Observability;
  loadTests: LoadTests;
  warming: WarmingService;
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

/**
 * Builds every layer once from a validated config, in dependency order: store → cache stack → observability →
 * sessions (audit, permissions, session core) → protection → accounts → load tests. Each layer is closed in reverse.
 */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const instanceId = randomUUID();
  const logger = options.logger ?? createLogger(config);
  const layers: Array<Layer<unknown>> = [];
  const add = <S>(layer: Layer<S>): S => {
    layers.push(layer);
    return layer.service;
  };
  try {
    const store = add(await buildStoreLayer(config, logger, options.migrate !== false));
    const redisTiming = createRedisTiming();
    const stack = add(buildCacheLayer(config, logger, instanceId, redisTiming.record));
    const observability = add(await buildObservabilityLayer(config, { logger, store, stack, instanceId }));
    const observer = composeObservers(options.observer, sessionObserver(observability.metrics));
    if (observer.redisOp) redisTiming.listen((command, ms) => observer.redisOp?.(command, ms / 1000));
    const { sessions, cache, audit, permissions } = add(
      buildSessionLayer(config, { store, stack, metrics: observability.metrics, observer, logger }),
    );
    const warming = add(buildWarmingLayer(config, { store, cache, permissions, stack, logger }));
    const protection = add(
      await buildProtectionLayer(config, {
        store,
        bus: stack.bus,
        audit,
        logger,
        metrics: observability.metrics,
        onRedisCommand: redisTiming.record,
      }),
    );
    const guard = config.protectionEnabled ? protection.guard : NO_LOGIN_PROTECTION;
    const users = new UserService(
      store,
      new PasswordHasher({
        concurrency: config.passwordHashConcurrency,
        maxQueued: config.passwordHashQueueMax,
        maxWaitMs: config.passwordHashQueueWait,
      }),
      permissions,
      sessions,
      audit,
      guard,
    );
    if (config.adminEmail && config.adminPassword) {
      await users.ensureAdmin(config.adminEmail, config.adminPassword);
      logger.info({ email: config.adminEmail }, 'admin account ensured');
    }
    const loadTests = new LazyLoadTestService({
      repository: store.loadTests,
      allowHosts: config.loadtestAllowHosts,
      metricsToken: config.metricsToken,
      clientIp: protection.clientIp,
      protectionEnabled: config.protectionEnabled,
      exemptFromLimits: (ip) => protection.allowlist.contains(ip),
      seedLocally: (accounts) => users.createMany(accounts, { ip: '127.0.0.1', userAgent: 'tessera-loadtest' }),
      logger,
      instanceId,
    });
    add({ service: loadTests, close: () => loadTests.close() });
    const jobs = new JobScheduler(logger);
    add({ service: jobs, close: () => jobs.stop() });

    const cacheAdmin: CacheAdmin = {
      stats: async () => ({ l1: stack.l1.stats(), l2: stack.l2 ? await stack.l2.stats() : undefined }),
      warm: (request) =>
        request && (request.sessionIds || request.userIds) ? warming.warmIds(request) : warming.warmAll('request'),
      warming: () => warming.warmer.status(),
      flush: async () => {
        const l1Entries = stack.l1.stats().size;
        return { l1: l1Entries, l2: await cache.flushAll() };
      },
    };

    return {
      instanceId,
      config,
      logger,
      store,
      sessions,
      cache,
      users,
      audit,
      l2: stack.l2,
      bus: stack.bus,
      breaker: stack.breaker,
      permissions,
      jobs,
      observer,
      observability,
      protection,
      loadTests,
      warming,
      cacheAdmin,
      serviceKeys: new ServiceKeys(store.db, audit),
      readiness: () => observability.readiness(),
      startJobs() {
        observability.start();
        warming.start();
        startSessionJobs(jobs, config, {
          store,
          cache,
          permissions,
          metrics: observability.metrics,
          logger,
          instanceId,
        });
      },
      close: () => closeInReverse(layers),
    };
  } catch (error) {
    await closeInReverse(layers);
    throw error;
  }
}
