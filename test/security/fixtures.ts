import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { normalizeEmail } from '../../src/auth/normalize.js';
import { loadConfig } from '../../src/config/index.js';
import { isTesseraError, TesseraError, ERRORS } from '../../src/errors/index.js';
import securityPlugin from '../../src/http/plugins/security.js';
import { SHARED_SCHEMAS } from '../../src/http/schemas.js';
import { adminSecurityRoutes } from '../../src/http/routes/admin-security.js';
import type { Store } from '../../src/store/types.js';
import { actAsAdmin, registerRouteGroups, testRouteHelpers } from '../helpers/route-groups.js';
import {
  createProtection,
  protectionConfig,
  type Protection,
  type ProtectionDeps,
} from '../../src/security/protection.js';
import type { AuditRecord, AuditRepository } from '../../src/store/types.js';
import { REDIS_URL, uniquePrefix } from '../helpers/services.js';

/** Protection settings from env-style overrides, defaults for the rest. */
export function testConfig(env: Record<string, string> = {}, prefix = uniquePrefix('sec')) {
  return protectionConfig(loadConfig({ REDIS_KEY_PREFIX: prefix, ...env }));
}

export function redisClient(url = REDIS_URL): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (n) => Math.min(n * 50, 500),
  });
}

export async function readyRedis(url = REDIS_URL): Promise<Redis> {
  const redis = redisClient(url);
  await new Promise<void>((resolve, reject) => {
    redis.once('ready', resolve);
    redis.once('error', reject);
  });
  return redis;
}

/** An in-memory AuditRepository with the store contract's behaviour (newest first). */
export class MemoryAudit implements AuditRepository {
  readonly rows: AuditRecord[] = [];
  async insert(event: Omit<AuditRecord, 'id'>): Promise<AuditRecord> {
    const row = { id: randomUUID(), ...event };
    this.rows.push(row);
    return row;
  }
  async query(filter: {
    type?: string;
    since?: number;
    userId?: string;
    tenant?: string;
    limit: number;
  }): Promise<AuditRecord[]> {
    return this.rows
      .filter(
        (r) => (!filter.type || r.type === filter.type) && (filter.since === undefined || r.createdAt >= filter.since),
      )
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, filter.limit);
  }
}

export const PASSWORDS: Record<string, string> = {};

/**
 * A small app shaped like the lead's (same error mapping) with the security plugin, a login route that calls the
 * guard as the real one must, signup/session/health stubs and the admin security routes (admin = header x-test-role).
 */
export async function buildTestApp(
  protection: Protection,
  audit: AuditRepository = new MemoryAudit(),
  users: Record<string, string> = {},
  fastifyOptions: { trustProxy?: boolean } = {},
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 65_536, ...fastifyOptions });
  app.setErrorHandler((error: unknown, request, reply) => {
    const e = error as { validation?: unknown; statusCode?: number; message?: string };
    const err = isTesseraError(error)
      ? error
      : e.validation
        ? new TesseraError('invalid_request', e.message)
        : e.statusCode === 413
          ? new TesseraError('payload_too_large')
          : e.statusCode === 415
            ? new TesseraError('unsupported_media_type')
            : e.statusCode && e.statusCode < 500
              ? new TesseraError('invalid_request', e.message)
              : new TesseraError('internal');
    if (err.extra.headers) reply.headers(err.extra.headers);
    if (err.extra.retryAfterSec !== undefined) reply.header('retry-after', String(err.extra.retryAfterSec));
    reply.code(err.status).send({
      error: {
        code: err.code,
        message: err.message,
        requestId: request.id,
        ...(err.extra.details ? { details: err.extra.details } : {}),
      },
    });
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(securityPlugin, { protection });

  app.post('/v1/auth/login', async (request) => {
    const body = (request.body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof body.email !== 'string' || typeof body.password !== 'string') throw new TesseraError('invalid_request');
    const attempt = { email: normalizeEmail(body.email), ip: request.clientIp };
    await protection.guard.check(attempt);
    const expected = users[attempt.email];
    if (expected === undefined || expected !== body.password) {
      await protection.guard.recordFailure(attempt);
      throw new TesseraError('invalid_credentials');
    }
    await protection.guard.recordSuccess(attempt);
    return { token: 'tss_test', user: { email: body.email } };
  });
  app.post('/v1/auth/signup', async (_request, reply) => reply.code(201).send({ user: {} }));
  app.get('/v1/auth/session', async () => ({ session: {}, user: {} }));
  app.get('/health', async () => ({ ok: true }));
  app.get('/admin', async (_request, reply) =>
    reply.type('text/html').header('content-security-policy', "default-src 'self'").send('<!doctype html><p>dashboard'),
  );

  const requireAdmin = async (request: FastifyRequest) => {
    const role = request.headers['x-test-role'];
    if (!role) throw new TesseraError('unauthenticated');
    if (role !== 'admin') throw new TesseraError('forbidden');
    actAsAdmin(request, { id: 'admin-1' });
  };
  await registerRouteGroups(
    app,
    [adminSecurityRoutes],
    testRouteHelpers({ protection, store: { audit } as Store }, requireAdmin),
  );
  await app.ready();
  return app;
}

export async function makeProtection(
  deps: Partial<ProtectionDeps> & { env?: Record<string, string> },
): Promise<Protection> {
  const protection = createProtection({ config: testConfig(deps.env ?? {}), ...deps });
  await protection.start();
  return protection;
}

export const ERROR_CODES = Object.keys(ERRORS);
