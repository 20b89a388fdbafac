import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiClient,
  newSession,
  PASSWORD,
  startTestTessera,
  uniqueEmail,
  type TestTessera,
} from '../helpers/tessera.js';

let server: TestTessera;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  server = await startTestTessera();
  api = apiClient(server.url);
});
afterAll(() => server.stop());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('signup', () => {
  it('creates a user with trimmed, lower-cased email and the default tenant', async () => {
    const email = uniqueEmail('Signup');
    const res = await api('POST', '/v1/auth/signup', {
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
      name: 'Ada',
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      name: 'Ada',
      tenant: 'default',
      roles: ['user'],
      permissions: expect.arrayContaining(['session:read']),
      createdAt: expect.stringMatching(ISO),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/argon|hash/i);
  });

  it('answers 409 email_taken within a tenant, and allows the same email in another tenant', async () => {
    const email = uniqueEmail();
    expect((await api('POST', '/v1/auth/signup', { email, password: PASSWORD })).status).toBe(201);
    const dup = await api('POST', '/v1/auth/signup', { email: email.toUpperCase(), password: PASSWORD });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'email_taken', requestId: expect.any(String) });
    const other = await api('POST', '/v1/auth/signup', { email, password: PASSWORD, tenant: 'acme' });
    expect(other.status).toBe(201);
    expect(other.body.user.tenant).toBe('acme');
  });

  it('rejects short passwords and unknown fields, naming each field', async () => {
    const res = await api('POST', '/v1/auth/signup', { email: 'nope', password: 'short', admin: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'admin']));
  });
});

describe('login', () => {
  it('returns a tss_ token, expiries, session and user, and sets the session cookie', async () => {
    const { login, email } = await newSession(api);
    expect(login.body).toMatchObject({
      token: expect.stringMatching(/^tss_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/),
      expiresAt: expect.stringMatching(ISO),
      idleExpiresAt: expect.stringMatching(ISO),
      session: {
        id: expect.any(String),
        userId: login.body.user.id,
        data: {},
        version: 1,
        createdAt: expect.stringMatching(ISO),
        lastSeenAt: expect.stringMatching(ISO),
      },
      user: { email },
    });
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toContain(`tessera_session=${login.body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const { email } = await newSession(api);
    const wrong = await api('POST', '/v1/auth/login', { email, password: 'wrong password!' });
    const unknown = await api('POST', '/v1/auth/login', { email: uniqueEmail('ghost'), password: 'wrong password!' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_credentials');
      expect(res.body.error.message).toBe('Email or password is incorrect.');
    }
  });

  it('keeps tenants apart', async () => {
    const email = uniqueEmail();
    await api('POST', '/v1/auth/signup', { email, password: PASSWORD, tenant: 'red' });
    expect((await api('POST', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await api('POST', '/v1/auth/login', { email, password: PASSWORD, tenant: 'red' })).status).toBe(200);
  });
});

describe('session validation', () => {
  it('validates by Bearer and by cookie, with request id and timing headers', async () => {
    const { token, sessionId } = await newSession(api);
    const bearer = await api('GET', '/v1/auth/session', undefined, { token });
    expect(bearer.status).toBe(200);
    expect(bearer.body.session.id).toBe(sessionId);
    expect(bearer.body.user.permissions).toEqual(expect.any(Array));
    expect(bearer.headers.get('x-request-id')).toBeTruthy();
    expect(bearer.headers.get('x-response-time')).toMatch(/^\d+(\.\d+)?ms$/);
    expect(bearer.headers.get('server-timing')).toMatch(/cache;desc="L1"/);
    expect(bearer.headers.get('x-db-queries')).toBe('0');
    const cookie = await api('GET', '/v1/auth/session', undefined, { headers: { cookie: `tessera_session=${token}` } });
    expect(cookie.status).toBe(200);
    expect(cookie.body.session.id).toBe(sessionId);
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const safe = await api('GET', '/health', undefined, { headers: { 'x-request-id': 'abc-123' } });
    expect(safe.headers.get('x-request-id')).toBe('abc-123');
    const unsafe = await api('GET', '/health', undefined, { headers: { 'x-request-id': 'a b<script>' } });
    expect(unsafe.headers.get('x-request-id')).not.toBe('a b<script>');
  });

  it('answers 401 in the error shape without a session or with junk', async () => {
    const junk: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer nope' },
      { authorization: 'Basic abc' },
      { cookie: 'tessera_session=tss_x' },
    ];
    for (const headers of junk) {
      const res = await api('GET', '/v1/auth/session', undefined, { headers });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'unauthenticated', requestId: expect.any(String) });
    }
  });
});

describe('refresh, logout, sessions', () => {
  it('rotates the token; the new one works', async () => {
    const { token } = await newSession(api);
    const res = await api('POST', '/v1/auth/session/refresh', undefined, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^tss_/),
      expiresAt: expect.stringMatching(ISO),
      idleExpiresAt: expect.stringMatching(ISO),
    });
    expect(res.body.token).not.toBe(token);
    expect((await api('GET', '/v1/auth/session', undefined, { token: res.body.token })).status).toBe(200);
  });

  it('logout kills this session only; logout-all kills every session', async () => {
    const a = await newSession(api);
    const second = await api('POST', '/v1/auth/login', { email: a.email, password: PASSWORD });
    const third = await api('POST', '/v1/auth/login', { email: a.email, password: PASSWORD });
    expect((await api('POST', '/v1/auth/logout', undefined, { token: a.token })).status).toBe(204);
    expect((await api('GET', '/v1/auth/session', undefined, { token: a.token })).status).toBe(401);
    expect((await api('GET', '/v1/auth/session', undefined, { token: second.body.token })).status).toBe(200);
    expect((await api('POST', '/v1/auth/logout-all', undefined, { token: second.body.token })).status).toBe(204);
    expect((await api('GET', '/v1/auth/session', undefined, { token: second.body.token })).status).toBe(401);
    expect((await api('GET', '/v1/auth/session', undefined, { token: third.body.token })).status).toBe(401);
  });

  it('lists live sessions, marks the current one, and deletes another', async () => {
    const a = await newSession(api, { headers: { 'user-agent': 'first-agent' } });
    const other = await api('POST', '/v1/auth/login', { email: a.email, password: PASSWORD });
    const list = await api('GET', '/v1/auth/sessions', undefined, { token: a.token });
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    const current = list.body.sessions.find((s: { current: boolean }) => s.current);
    expect(current).toMatchObject({
      id: a.sessionId,
      ip: '127.0.0.1',
      userAgent: 'first-agent',
      createdAt: expect.stringMatching(ISO),
      lastSeenAt: expect.stringMatching(ISO),
    });
    expect(
      (await api('DELETE', `/v1/auth/sessions/${other.body.session.id}`, undefined, { token: a.token })).status,
    ).toBe(204);
    expect((await api('GET', '/v1/auth/session', undefined, { token: other.body.token })).status).toBe(401);
    expect(
      (await api('DELETE', `/v1/auth/sessions/${other.body.session.id}`, undefined, { token: a.token })).status,
    ).toBe(404);
  });

  it("cannot delete another user's session", async () => {
    const a = await newSession(api);
    const b = await newSession(api);
    expect((await api('DELETE', `/v1/auth/sessions/${b.sessionId}`, undefined, { token: a.token })).status).toBe(404);
    expect((await api('GET', '/v1/auth/session', undefined, { token: b.token })).status).toBe(200);
  });

  it('password change revokes the other sessions and keeps this one', async () => {
    const a = await newSession(api);
    const other = await api('POST', '/v1/auth/login', { email: a.email, password: PASSWORD });
    const wrong = await api(
      'POST',
      '/v1/auth/password',
      { currentPassword: 'not it at all', newPassword: 'a brand new password' },
      { token: a.token },
    );
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    expect(
      (
        await api(
          'POST',
          '/v1/auth/password',
          { currentPassword: PASSWORD, newPassword: 'a brand new password' },
          { token: a.token },
        )
      ).status,
    ).toBe(204);
    expect((await api('GET', '/v1/auth/session', undefined, { token: a.token })).status).toBe(200);
    expect((await api('GET', '/v1/auth/session', undefined, { token: other.body.token })).status).toBe(401);
    expect((await api('POST', '/v1/auth/login', { email: a.email, password: PASSWORD })).status).toBe(401);
    expect((await api('POST', '/v1/auth/login', { email: a.email, password: 'a brand new password' })).status).toBe(
      200,
    );
  });
});

describe('session data', () => {
  it('is compare-and-set on version', async () => {
    const { token } = await newSession(api);
    const first = await api('PATCH', '/v1/auth/session/data', { data: { cart: [1] }, version: 1 }, { token });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ data: { cart: [1] }, version: 2 });
    const stale = await api('PATCH', '/v1/auth/session/data', { data: { cart: [2] }, version: 1 }, { token });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    const seen = await api('GET', '/v1/auth/session', undefined, { token });
    expect(seen.body.session).toMatchObject({ data: { cart: [1] }, version: 2 });
  });

  it('lets exactly one of two concurrent writers win', async () => {
    const { token } = await newSession(api);
    const results = await Promise.all(
      [1, 2].map((n) => api('PATCH', '/v1/auth/session/data', { data: { writer: n }, version: 1 }, { token })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('refuses data over 16 KiB', async () => {
    const { token } = await newSession(api);
    const res = await api(
      'PATCH',
      '/v1/auth/session/data',
      { data: { blob: 'x'.repeat(17_000) }, version: 1 },
      { token },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('data');
  });
});

describe('CSRF on cookie-authenticated writes', () => {
  it('refuses a cross-site write by cookie, allows same-origin and Bearer', async () => {
    const { token } = await newSession(api);
    const cookie = `tessera_session=${token}`;
    const crossSite = await api('POST', '/v1/auth/session/refresh', undefined, {
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.code).toBe('forbidden');
    const evilOrigin = await api('POST', '/v1/auth/session/refresh', undefined, {
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(evilOrigin.status).toBe(403);
    const host = new URL(server.url).host;
    const sameOrigin = await api('POST', '/v1/auth/session/refresh', undefined, {
      headers: { cookie, origin: `http://${host}` },
    });
    expect(sameOrigin.status).toBe(200);
    const bearer = await api('POST', '/v1/auth/logout', undefined, {
      token: sameOrigin.body.token,
      headers: { origin: 'https://evil.example' },
    });
    expect(bearer.status).toBe(204);
  });
});

describe('transport rules', () => {
  it('answers 415 for non-JSON bodies and 413 above 64 KiB', async () => {
    const text = await api('POST', '/v1/auth/login', 'email=a', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
    const huge = await api('POST', '/v1/auth/signup', { email: 'a@b.c', password: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('answers 400 for malformed JSON and 404 in the error shape for unknown routes', async () => {
    const bad = await api('POST', '/v1/auth/login', '{"email": ', { headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const missing = await api('GET', '/v1/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('serves health, readiness and an OpenAPI 3 description generated from the routes', async () => {
    expect((await api('GET', '/health')).body).toEqual({ status: 'ok' });
    const ready = await api('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      score: expect.any(Number),
      dependencies: expect.arrayContaining([expect.objectContaining({ name: 'database', ok: true })]),
    });
    const docs = await api('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body.openapi).toMatch(/^3\./);
    for (const route of [
      '/v1/auth/signup',
      '/v1/auth/login',
      '/v1/auth/session',
      '/v1/auth/session/refresh',
      '/v1/auth/logout',
      '/v1/auth/logout-all',
      '/v1/auth/sessions',
      '/v1/auth/sessions/{id}',
      '/v1/auth/password',
      '/v1/auth/session/data',
      '/health',
      '/ready',
    ]) {
      expect(Object.keys(docs.body.paths)).toContain(route);
    }
    expect(
      docs.body.paths['/v1/auth/login'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('email');
  });
});
