import pino from 'pino';
import { AuditLog } from '../../src/audit/audit-log.js';
import type { LoginProtection } from '../../src/auth/login-protection.js';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { PermissionResolver } from '../../src/auth/permissions.js';
import { UserService } from '../../src/auth/user-service.js';
import { createL1Cache } from '../../src/cache/l1-cache.js';
import type { CacheStack } from '../../src/cache/stack.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createSessionCore, type SessionCore } from '../../src/sessions/core.js';
import type { L1Value } from '../../src/sessions/session-cache.js';
import type { SessionEntry, SessionObserver } from '../../src/sessions/types.js';
import { createStore } from '../../src/store/create-store.js';
import type { Store } from '../../src/store/types.js';
import { BusHub } from './factory/bus-hub.js';
import { ChaosMemoryL2 } from './factory/memory-l2.js';

export interface TestInstance extends SessionCore {
  config: Config;
  users: UserService<SessionEntry>;
  /** Database operations this instance ran, by name (session_by_token, user_by_id, session_touch, …). */
  dbOps: string[];
  /** Calls the login guard saw, in order, next to the store's user lookups (`lookup`) and hashes (`verify`). */
  loginSteps: string[];
  audit: AuditLog;
  /** The tiers this instance caches in (its own L1; the factory's shared L2 and bus hub). */
  stack: CacheStack<L1Value>;
  permissions: PermissionResolver;
}

export interface CoreFactoryOptions {
  /** Environment for loadConfig (e.g. SESSION_L1_MAX, SESSION_IDLE_TTL). */
  env?: Record<string, string>;
  /** Give the instances a shared L2 (a Redis stand-in with chaos switches). Default true. */
  l2?: boolean;
  /** Read the change log, as instances sharing a database do. Default true. */
  shared?: boolean;
  /** A login guard; the default allows everything and records the calls. */
  guard?: LoginProtection;
}

/**
 * Builds session cores the way the runtime does, with no server: one SQLite `:memory:` database, an in-process
 * bus hub and an L2 that can be made to fail, shared by every instance the test asks for (bentocache's factory).
 */
export class CoreFactory {
  readonly hub = new BusHub();
  readonly l2 = new ChaosMemoryL2();
  readonly #instances: TestInstance[] = [];
  #store: Store | undefined;

  constructor(private readonly options: CoreFactoryOptions = {}) {}

  get store(): Store {
    if (!this.#store) throw new Error('call instance() first');
    return this.#store;
  }

  async instance(
    env: Record<string, string> = {},
    { firstRead = true }: { firstRead?: boolean } = {},
  ): Promise<TestInstance> {
    const config = loadConfig({
      SESSION_CHANGE_POLL: '20ms',
      PASSWORD_HASH_CONCURRENCY: '1',
      ...this.options.env,
      ...env,
    });
    if (!this.#store) {
      this.#store = await createStore(config, { filename: ':memory:' });
      await this.#store.migrate();
    }
    const store = this.#store;
    const logger = pino({ level: 'silent' });
    const stack: CacheStack<L1Value> = {
      l1: createL1Cache<L1Value>({ max: config.sessionL1Max, ttlMs: config.sessionL1Ttl }),
      l2: this.options.l2 === false ? undefined : this.l2,
      bus: this.hub.bus(),
      breaker: undefined,
      close: async () => {},
    };
    const dbOps: string[] = [];
    const loginSteps: string[] = [];
    const observer: SessionObserver = { dbOp: (op) => dbOps.push(op) };
    const permissions = new PermissionResolver(store.roles);
    const audit = new AuditLog(store.audit, logger);
    const core = createSessionCore(config, {
      store,
      stack,
      permissions,
      audit,
      observer,
      logger,
      shared: this.options.shared !== false,
    });
    const guard = this.options.guard ?? recordingGuard(loginSteps);
    const hasher = new PasswordHasher(config.passwordHashConcurrency);
    const traced = new Proxy(hasher, {
      get: (target, key) =>
        key === 'verify'
          ? (...args: Parameters<PasswordHasher['verify']>) => (loginSteps.push('verify'), target.verify(...args))
          : Reflect.get(target, key),
    });
    const tracedStore: Store = {
      ...store,
      users: {
        ...store.users,
        findByEmail: (tenant, email) => (loginSteps.push('lookup'), store.users.findByEmail(tenant, email)),
      },
    };
    const users = new UserService(tracedStore, traced, permissions, core.sessions, audit, guard);
    const instance: TestInstance = { ...core, config, users, dbOps, loginSteps, audit, stack, permissions };
    if (core.feed) {
      await core.feed.stop(); // the test drives reads itself when it asks for no first read
      if (firstRead) {
        await core.feed.poll(); // ready, as a started instance is after its first read
        core.feed.start();
      }
    }
    this.#instances.push(instance);
    return instance;
  }

  async close(): Promise<void> {
    for (const i of this.#instances) await i.close();
    await this.#store?.close();
  }
}

function recordingGuard(steps: string[]): LoginProtection {
  return {
    check: async (a) => void steps.push(`check:${a.email}`),
    recordFailure: async () => void steps.push('failure'),
    recordSuccess: async () => void steps.push('success'),
  };
}

export const CLIENT = { ip: '203.0.113.9', userAgent: 'vitest' };
export const PASSWORD = 'correct horse battery staple';
