import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { jsonDepthExceeds } from '../../src/http/json-body.js';

let server: TestTessera;
let api: ReturnType<typeof apiClient>;
let token: string;

beforeAll(async () => {
  server = await startTestTessera({
    TESSERA_ADMIN_EMAIL: 'admin@example.test',
    TESSERA_ADMIN_PASSWORD: 'admin password 1',
  });
  api = apiClient(server.url);
  token = (await newSession(api)).token;
});
afterAll(() => server.stop());

const ENDPOINTS: Array<[string, string]> = [
  ['POST', '/v1/auth/signup'],
  ['POST', '/v1/auth/login'],
  ['GET', '/v1/auth/session'],
  ['POST', '/v1/auth/session/refresh'],
  ['POST', '/v1/auth/logout-all'],
  ['GET', '/v1/auth/sessions'],
  ['DELETE', '/v1/auth/sessions/x'],
  ['POST', '/v1/auth/password'],
  ['PATCH', '/v1/auth/session/data'],
  ['GET', '/v1/admin/users'],
  ['PUT', '/v1/admin/users/x/roles'],
  ['GET', '/health'],
  ['GET', '/ready'],
  ['GET', '/docs'],
  ['POST', '/v1/nope'],
];

const jsonish = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        email: fc.oneof(fc.string(), fc.emailAddress(), fc.integer()),
        password: fc.oneof(fc.string(), fc.constant(null)),
        tenant: fc.oneof(fc.string(), fc.integer()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        data: fc.oneof(fc.object(), fc.string(), fc.constant(null)),
        version: fc.oneof(fc.integer(), fc.string(), fc.double()),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      { roles: fc.oneof(fc.array(fc.string()), fc.string()), currentPassword: fc.string(), newPassword: fc.string() },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constant('{"__proto__": {"admin": true}}'),
  fc.constant('{"constructor": {"prototype": {}}}'),
  fc.constant(''),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'json',
  '',
);
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.string().map((s) => `Bearer ${s}`),
  fc.constant('Bearer tss_'),
  fc.constant(`Bearer tss_${'z'.repeat(43)}`),
  fc.constant('VALID'),
);
const cookie = fc.oneof(
  fc.constant(undefined),
  fc.string(),
  fc.string().map((s) => `tessera_session=${s}`),
  fc.constant('VALID'),
);
const requestId = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 100 }));

/** Header values fetch refuses to send are not interesting: keep printable ASCII. */
const headerSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '');

describe('bad input never yields a 5xx', () => {
  it('every endpoint answers junk with a 4xx in the one error shape', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ENDPOINTS),
        jsonish,
        contentType,
        authorization,
        cookie,
        requestId,
        async ([method, route], body, type, auth, cookieValue, reqId) => {
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          if (auth !== undefined) headers.authorization = auth === 'VALID' ? `Bearer ${token}` : headerSafe(auth);
          if (cookieValue !== undefined)
            headers.cookie = cookieValue === 'VALID' ? `tessera_session=${token}` : headerSafe(cookieValue);
          if (reqId !== undefined) headers['x-request-id'] = headerSafe(reqId);
          const sendBody = method === 'GET' ? undefined : body;
          const res = await fetch(server.url + route, { method, headers, body: sendBody });
          const text = await res.text();
          expect(res.status, `${method} ${route} ${type} ${text}`).toBeLessThan(500);
          if (res.status >= 400) {
            const parsed = JSON.parse(text);
            expect(Object.keys(parsed)).toEqual(['error']);
            expect(parsed.error).toMatchObject({
              code: expect.any(String),
              message: expect.any(String),
              requestId: expect.any(String),
            });
          }
        },
      ),
      { numRuns: 400 },
    );
    // The valid session survived all of it (logout is not in the list; logout-all with it would end it).
  });

  it('oversized and deeply nested bodies are refused cleanly', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const body of ['x'.repeat(65 * 1024), JSON.stringify({ email: 'a'.repeat(70_000) }), deep]) {
      const res = await api('POST', '/v1/auth/login', body, { headers: { 'content-type': 'application/json' } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.code).toEqual(expect.any(String));
    }
  });

  it('session data nested thousands of levels deep answers 400, not a stack overflow', async () => {
    // About 9 KB, well under SESSION_DATA_MAX_BYTES: only the depth is wrong.
    const { token: fresh } = await newSession(api); // the junk above may have ended the shared session (logout-all)
    const data = `{"deep":${'['.repeat(4500)}${']'.repeat(4500)}}`;
    const res = await api('PATCH', '/v1/auth/session/data', `{"data":${data},"version":1}`, { token: fresh });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.details).toEqual([{ field: 'body', message: expect.stringContaining('32 levels') }]);
  });

  it('every JSON body is held to JSON_MAX_DEPTH (32): deeper is 400 invalid_request, never a 5xx', async () => {
    // Nesting built from objects and arrays in any mix, with string leaves full of brackets (which must not count).
    const nested = fc
      .tuple(
        fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5000 })),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('[', '{', ']', '}', '"', '\\', 'a') }),
      )
      .map(([depth, pattern, leaf]) => {
        let text = JSON.stringify(leaf);
        for (let i = 0; i < depth; i++) text = pattern[i % pattern.length] ? `[${text}]` : `{"k":${text}}`;
        return { text, depth };
      });
    const { token: fresh } = await newSession(api);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<[string, (inner: string) => string, number]>(
          ['PATCH', (inner) => `{"data":{"x":${inner}},"version":1}`, 2],
          ['POST', (inner) => `{"email":${inner},"password":"password 1"}`, 1],
          ['POST', (inner) => inner, 0],
        ),
        nested,
        async ([method, wrap, around], { text, depth }) => {
          const route = method === 'PATCH' ? '/v1/auth/session/data' : '/v1/auth/login';
          const res = await api(method, route, wrap(text), { token: method === 'PATCH' ? fresh : undefined });
          const tooDeep = depth + around > 32;
          expect(res.status, `${method} depth ${depth + around}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
          const refusedForDepth =
            res.status === 400 && res.body.error.message === 'The request body is nested too deeply.';
          expect(refusedForDepth, `depth ${depth + around}`).toBe(tooDeep);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the depth check on the text agrees with the depth of the parsed value', () => {
    const depthOf = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), (value, limit) => {
        const text = JSON.stringify(value);
        expect(jsonDepthExceeds(text, limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 2000 },
    );
  });
});
