import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { Protection } from '../../src/security/protection.js';
import { createStore, type Store } from '../../src/store/index.js';
import { buildTestApp, ERROR_CODES, makeProtection } from './fixtures.js';

describe('admin security routes (real SQLite audit log)', () => {
  let app: FastifyInstance;
  let protection: Protection;
  let store: Store;
  const admin = { 'x-test-role': 'admin' };

  beforeAll(async () => {
    store = await createStore(loadConfig({}), { filename: ':memory:' });
    await store.migrate();
    protection = await makeProtection({
      audit: store.audit,
      env: {
        TRUST_PROXY: 'true',
        RATE_LIMIT_IP_PER_MIN: '100000',
        RATE_LIMIT_LOGIN_PER_MIN: '100000',
        RATE_LIMIT_SIGNUP_PER_MIN: '100000',
      },
    });
    app = await buildTestApp(protection, store.audit);
  });
  afterAll(async () => {
    await app.close();
    await protection.close();
    await store.close();
  });

  it('401 without a session, 403 without the admin role', async () => {
    for (const [method, url] of [
      ['GET', '/v1/admin/security/events'],
      ['GET', '/v1/admin/security/bans'],
      ['POST', '/v1/admin/security/bans'],
      ['DELETE', '/v1/admin/security/bans/192.0.2.1'],
    ] as const) {
      expect(
        (await app.inject({ method, url, payload: method === 'POST' ? { ip: '192.0.2.1' } : undefined })).statusCode,
      ).toBe(401);
      expect(
        (
          await app.inject({
            method,
            url,
            headers: { 'x-test-role': 'user' },
            payload: method === 'POST' ? { ip: '192.0.2.1' } : undefined,
          })
        ).statusCode,
      ).toBe(403);
    }
  });

  it('bans an IP (POST), lists it (GET), enforces it, lifts it (DELETE), and audits both', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/admin/security/bans',
      headers: admin,
      payload: { ip: '::ffff:192.0.2.55', ttl: '2h', reason: 'scraping' },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().ban).toMatchObject({ ip: '192.0.2.55', reason: 'scraping', createdBy: 'admin-1' });
    expect(created.json().ban.expiresAt - created.json().ban.createdAt).toBe(7_200_000);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/admin/security/bans', headers: admin })).json().bans,
    ).toMatchObject([{ ip: '192.0.2.55' }]);
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/auth/session',
      headers: { 'x-forwarded-for': '192.0.2.55' },
    });
    expect(refused.statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'DELETE', url: '/v1/admin/security/bans/192.0.2.55', headers: admin })).statusCode,
    ).toBe(204);
    expect(
      (await app.inject({ method: 'DELETE', url: '/v1/admin/security/bans/192.0.2.55', headers: admin })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { 'x-forwarded-for': '192.0.2.55' } }))
        .statusCode,
    ).toBe(200);
    await protection.events.flush();
    const events = (
      await app.inject({ method: 'GET', url: '/v1/admin/security/events?type=ip_banned&limit=10', headers: admin })
    ).json().events;
    expect(events).toMatchObject([
      { type: 'ip_banned', ip: '192.0.2.55', userId: 'admin-1', details: { reason: 'scraping', by: 'admin' } },
    ]);
    const unbanned = (
      await app.inject({
        method: 'GET',
        url: `/v1/admin/security/events?type=ip_unbanned&since=${new Date(Date.now() - 60_000).toISOString()}`,
        headers: admin,
      })
    ).json().events;
    expect(unbanned).toHaveLength(1);
  });

  it('audits a lockout and returns it filtered by type', async () => {
    for (let i = 0; i < 6; i++) {
      await app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'audit-me@example.com', password: 'wrong-password' },
        headers: { 'x-forwarded-for': '198.51.100.44' },
      });
    }
    await protection.events.flush();
    const res = await app.inject({ method: 'GET', url: '/v1/admin/security/events?type=lockout', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().events).toMatchObject([
      { type: 'lockout', ip: '198.51.100.44', details: { email: 'audit-me@example.com', scope: 'email_ip' } },
    ]);
  });

  it('rejects bad input with 400 invalid_request naming the field', async () => {
    const badIp = await app.inject({
      method: 'POST',
      url: '/v1/admin/security/bans',
      headers: admin,
      payload: { ip: 'example.com' },
    });
    expect(badIp.statusCode).toBe(400);
    expect(badIp.json().error).toMatchObject({ code: 'invalid_request', details: [{ field: 'ip' }] });
    const badTtl = await app.inject({
      method: 'POST',
      url: '/v1/admin/security/bans',
      headers: admin,
      payload: { ip: '192.0.2.1', ttl: 'forever' },
    });
    expect(badTtl.json().error).toMatchObject({ code: 'invalid_request', details: [{ field: 'ttl' }] });
    expect(
      (await app.inject({ method: 'GET', url: '/v1/admin/security/events?since=yesterday', headers: admin }))
        .statusCode,
    ).toBe(400);
    expect(
      (await app.inject({ method: 'GET', url: '/v1/admin/security/events?limit=0', headers: admin })).statusCode,
    ).toBe(400);
  });

  it('no input to any route yields a 5xx; every error has the one shape (property)', async () => {
    const routes = [
      ['POST', '/v1/admin/security/bans'],
      ['GET', '/v1/admin/security/events'],
      ['GET', '/v1/admin/security/bans'],
      ['DELETE', '/v1/admin/security/bans/'],
      ['POST', '/v1/auth/login'],
      ['POST', '/v1/auth/signup'],
      ['GET', '/v1/auth/session'],
    ] as const;
    const anyJson = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          ip: fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.integer()),
          ttl: fc.oneof(fc.string(), fc.integer(), fc.double()),
          reason: fc.string(),
        },
        { requiredKeys: [] },
      ),
      fc.record({ email: fc.oneof(fc.string(), fc.emailAddress()), password: fc.string() }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        anyJson,
        fc.string({ maxLength: 40 }),
        fc.dictionary(fc.constantFrom('type', 'since', 'limit', 'x'), fc.string({ maxLength: 20 })),
        fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 60 }))),
        fc.boolean(),
        async ([method, url], body, suffix, query, xff, isAdmin) => {
          const path = url.endsWith('/') ? `${url}${encodeURIComponent(suffix)}` : url;
          const res = await app.inject({
            method,
            url: path,
            query,
            headers: { ...(isAdmin ? admin : {}), ...(xff ? { 'x-forwarded-for': xff } : {}) },
            ...(method === 'POST'
              ? {
                  payload: JSON.stringify(body),
                  headers: { 'content-type': 'application/json', ...(isAdmin ? admin : {}) },
                }
              : {}),
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) {
            const err = res.json().error;
            expect(ERROR_CODES).toContain(err.code);
            expect(typeof err.message).toBe('string');
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
