import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';

/** Headers whose values differ per response by nature. */
const VARYING = new Set(['date', 'x-request-id', 'x-response-time', 'server-timing', 'x-db-queries']);
const started: TestTessera[] = [];
afterAll(() => Promise.all(started.map((t) => t.stop())));

async function start(env: Record<string, string> = {}) {
  const t = await startTestTessera(env);
  started.push(t);
  return { t, api: apiClient(t.url) };
}

const tierOf = (headers: Headers) => /cache;desc="(\w+)"/.exec(headers.get('server-timing') ?? '')?.[1];
const fixedHeaders = (headers: Headers) => Object.fromEntries([...headers].filter(([name]) => !VARYING.has(name)));

// Session validation is written straight to the socket (respondDirect: synchronously from L1, after a promise
// from L2 or the database); every other route goes through Fastify's reply. A client must not tell them apart.
describe('GET /v1/auth/session: the direct response answers exactly like the rest of the API', () => {
  it('same status, body and headers from the database and from L1', async () => {
    const { t, api } = await start();
    const { token } = await newSession(api);
    await t.runtime.cache.flushAll();
    const cold = await api('GET', '/v1/auth/session', undefined, { token });
    const warm = await api('GET', '/v1/auth/session', undefined, { token });
    const viaFastify = await api('GET', '/v1/auth/sessions', undefined, { token });
    expect(viaFastify.status).toBe(200);
    // The same header names and fixed values as a 200 sent by reply.send, but for the body's length and the
    // RateLimit-* of a rate-limited route (validation is not, by default; see the last test).
    const comparable = (headers: Headers) =>
      Object.fromEntries(
        Object.entries(fixedHeaders(headers)).filter(
          ([name]) => name !== 'content-length' && !name.startsWith('ratelimit-'),
        ),
      );
    const names = (headers: Headers) => [...headers.keys()].filter((name) => !name.startsWith('ratelimit-')).sort();
    expect(comparable(warm.headers)).toEqual(comparable(viaFastify.headers));
    expect(names(warm.headers)).toEqual(names(viaFastify.headers));
    expect([tierOf(cold.headers), tierOf(warm.headers)]).toEqual(['DB', 'L1']);
    expect(warm.status).toBe(200);
    expect(warm.body).toEqual(cold.body);
    expect(fixedHeaders(warm.headers)).toEqual(fixedHeaders(cold.headers));
    expect(fixedHeaders(warm.headers)).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    for (const name of VARYING) if (name !== 'date') expect(warm.headers.has(name), name).toBe(true);
    expect(Number(warm.headers.get('content-length'))).toBe(Buffer.byteLength(JSON.stringify(warm.body)));
  });

  it('HEAD from L1 sends the headers and no body', async () => {
    const { api, t } = await start();
    const { token } = await newSession(api);
    const res = await fetch(`${t.url}/v1/auth/session`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(tierOf(res.headers)).toBe('L1');
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await res.text()).toBe('');
  });

  it('keeps headers set before the handler (RATE_LIMIT_VALIDATION=true adds RateLimit-*)', async () => {
    const { api } = await start({ RATE_LIMIT_VALIDATION: 'true' });
    const { token } = await newSession(api);
    const res = await api('GET', '/v1/auth/session', undefined, { token });
    expect(tierOf(res.headers)).toBe('L1');
    expect(res.headers.get('ratelimit-limit')).toMatch(/^\d+$/);
    expect(res.headers.get('ratelimit-remaining')).toMatch(/^\d+$/);
  });
});
