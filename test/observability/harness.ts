import { mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { TesseraError } from '../../src/errors/registry.js';
import { adminAlertsRoutes } from '../../src/http/routes/admin-alerts.js';
import { adminCacheRoutes } from '../../src/http/routes/admin-cache.js';
import { adminDashboardRoutes } from '../../src/http/routes/admin-dashboard.js';
import { adminMetricsRoutes } from '../../src/http/routes/admin-metrics.js';
import { metricsRoutes } from '../../src/http/routes/metrics.js';
import {
  Observability,
  type CacheAdmin,
  type ObservabilityOptions,
  type ObservabilitySettings,
} from '../../src/observability/index.js';
import { registerErrorHandling } from '../../src/http/error-handler.js';
import { registerJsonBodies } from '../../src/http/json-body.js';
import { registerRequestTiming } from '../../src/http/request-timing.js';
import type { Config } from '../../src/config/index.js';
import { actAsAdmin, registerRouteGroups, testRouteHelpers } from '../helpers/route-groups.js';

export const ADMIN_TOKEN = 'tss_admin_test_token';
export const USER_TOKEN = 'tss_user_test_token';
export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };

/** Where page tests leave their screenshots (one directory per test process). */
export const SCREENSHOT_DIR = mkdtempSync(join(tmpdir(), 'tessera-dashboard-'));

export const silentLogger = { info() {}, warn() {}, error() {} };

export function testSettings(over: Partial<ObservabilitySettings> = {}): ObservabilitySettings {
  return {
    metricsEnabled: true,
    dataDir: '/nonexistent',
    redisKeyPrefix: 'tss:',
    historyRetentionMs: 86_400_000,
    alertEvalIntervalMs: 15_000,
    latencyTargetMs: 250,
    rssBudgetBytes: 8 * 1024 ** 3,
    cleanupIntervalMs: 600_000,
    sessionIdleTtlMs: 1_800_000,
    monitorIntervalMs: 10_000,
    ...over,
  };
}

/**
 * A stand-in for the lead's app (until src/http/app.ts lands): the one error shape, a token → role guard,
 * a login that hands out the admin token, and a session-check route that reports to metrics the way the
 * session manager will (cache tier lookups, throttled writes).
 */
export async function startHarness(
  options: Partial<ObservabilityOptions> & { settings?: Partial<ObservabilitySettings>; cache?: CacheAdmin } = {},
): Promise<{
  app: FastifyInstance;
  obs: Observability;
  url: string;
  close: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-obs-'));
  const obs = await Observability.create({
    logger: silentLogger,
    sampleProcess: false,
    ...options,
    settings: testSettings({ dataDir: dir, ...options.settings }),
  });
  const app = Fastify({ logger: false });
  // The app's own body parsing and error mapping, so the routes here answer exactly as in the real app.
  registerJsonBodies(app);
  registerErrorHandling(app, silentLogger);
  registerRequestTiming(app, obs.metrics);

  const requireAdmin = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const auth = request.headers.authorization;
    const cookieToken = /(?:^|;\s*)tessera_session=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : cookieToken;
    if (!token) throw new TesseraError('unauthenticated');
    if (token !== ADMIN_TOKEN) throw new TesseraError(token === USER_TOKEN ? 'forbidden' : 'unauthenticated');
    actAsAdmin(request, { email: ADMIN.email });
  };

  app.post<{ Body: { email?: string; password?: string } }>('/v1/auth/login', async (request, reply) => {
    if (request.body?.email !== ADMIN.email || request.body?.password !== ADMIN.password) {
      obs.metrics.login('invalid_credentials');
      throw new TesseraError('invalid_credentials');
    }
    obs.metrics.login('success');
    reply.header('set-cookie', `tessera_session=${ADMIN_TOKEN}; HttpOnly; SameSite=Lax; Path=/`);
    return { token: ADMIN_TOKEN, user: { email: ADMIN.email, roles: ['admin'] } };
  });
  let checks = 0;
  app.get('/v1/auth/session', async () => {
    // Every tenth check misses L1 and is found in L2; every fiftieth also writes the session (throttling skips the rest).
    checks++;
    if (checks % 10 === 0) {
      obs.metrics.cacheLookup('l1', 'miss');
      obs.metrics.cacheLookup('l2', 'hit');
      obs.metrics.redisOp('get', 0.0004);
    } else obs.metrics.cacheLookup('l1', 'hit');
    obs.metrics.sessionWrite(checks % 50 === 0 ? 'written' : 'skipped');
    return { ok: true };
  });
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  app.get('/v1/admin/security/events', { preHandler: requireAdmin }, async () => ({
    events: [{ id: 'e1', type: 'login_failed', ip: '203.0.113.9', createdAt: Date.now(), details: {} }],
  }));
  app.get('/v1/admin/security/bans', { preHandler: requireAdmin }, async () => ({
    bans: [{ ip: '198.51.100.7', reason: 'credential stuffing', expiresAt: Date.now() + 3_600_000 }],
  }));
  app.get('/v1/admin/loadtests', { preHandler: requireAdmin }, async () => ({ runs: [] }));
  app.get('/v1/admin/loadtests/presets', { preHandler: requireAdmin }, async () => ({ presets: [] }));

  const helpers = testRouteHelpers(
    { observability: obs, cacheAdmin: options.cache, config: {} as Config },
    requireAdmin,
  );
  await registerRouteGroups(
    app,
    [metricsRoutes, adminMetricsRoutes, adminAlertsRoutes, adminCacheRoutes, adminDashboardRoutes],
    helpers,
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    obs,
    url,
    close: async () => {
      await app.close();
      await obs.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 5_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${timeoutMs} ms${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** fetch whose JSON bodies are `any`, for terse assertions in tests. */
export const fetchJson = (
  input: string,
  init?: RequestInit,
): Promise<Omit<Response, 'json'> & { json(): Promise<any> }> => fetch(input, init);
