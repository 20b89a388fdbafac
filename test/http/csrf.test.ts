import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';

/**
 * Cookie-authenticated writes must come from this service's own origin — scheme, host and port, as the client
 * addressed it (through TRUST_PROXY) — or from ALLOWED_ORIGINS. Every case writes the session data, as a page would.
 */
const APP = 'https://app.example.test';

interface Target {
  server: TestTessera;
  api: ReturnType<typeof apiClient>;
  cookie: string;
  version: number;
  host: string;
}

async function target(env: Record<string, string>): Promise<Target> {
  const server = await startTestTessera(env);
  const api = apiClient(server.url);
  const { token, login } = await newSession(api);
  return {
    server,
    api,
    cookie: `tessera_session=${token}`,
    version: login.body.session.version as number,
    host: new URL(server.url).host,
  };
}

/** PATCH /v1/auth/session/data by cookie with these headers; on success the next write uses the new version. */
async function write(t: Target, headers: Record<string, string>): Promise<number> {
  const res = await t.api(
    'PATCH',
    '/v1/auth/session/data',
    { data: { at: Date.now() }, version: t.version },
    { headers: { cookie: t.cookie, ...headers } },
  );
  if (res.status === 200) t.version = res.body.version as number;
  else expect(res.body.error.code).toBe('forbidden');
  return res.status;
}

let plain: Target; // TRUST_PROXY=false, ALLOWED_ORIGINS=APP
let proxied: Target; // TRUST_PROXY=127.0.0.1: the test client is the trusted proxy
let untrustedProxy: Target; // TRUST_PROXY lists a proxy that is not the peer

beforeAll(async () => {
  [plain, proxied, untrustedProxy] = await Promise.all([
    target({ ALLOWED_ORIGINS: `${APP}/` }),
    target({ TRUST_PROXY: '127.0.0.1' }),
    target({ TRUST_PROXY: '10.0.0.0/8' }),
  ]);
});
afterAll(() => Promise.all([plain, proxied, untrustedProxy].map((t) => t?.server.stop())));

describe('CSRF: the full origin is compared', () => {
  it('refuses an https Origin on the plain-http server (same host and port)', async () => {
    expect(await write(plain, { origin: `https://${plain.host}` })).toBe(403);
  });

  it('allows the same origin, with and without Sec-Fetch-Site', async () => {
    expect(await write(plain, { origin: `http://${plain.host}` })).toBe(200);
    expect(await write(plain, { origin: `http://${plain.host}`, 'sec-fetch-site': 'same-origin' })).toBe(200);
  });

  it('refuses another port or host on the same scheme', async () => {
    const port = Number(new URL(plain.server.url).port);
    expect(await write(plain, { origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await write(plain, { origin: `http://localhost:${port}` })).toBe(403);
    expect(await write(plain, { origin: 'null' })).toBe(403);
  });

  it('honours ALLOWED_ORIGINS (exactly: scheme included), also for a cross-site fetch', async () => {
    expect(await write(plain, { origin: APP })).toBe(200);
    expect(await write(plain, { origin: APP, 'sec-fetch-site': 'cross-site' })).toBe(200);
    expect(await write(plain, { origin: APP.replace('https:', 'http:') })).toBe(403);
    expect(await write(plain, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).toBe(403);
    expect(await write(plain, { 'sec-fetch-site': 'cross-site' })).toBe(403);
  });

  it('reads X-Forwarded-Proto and X-Forwarded-Host only from a peer TRUST_PROXY trusts', async () => {
    const https = `https://${plain.host}`;
    // Not trusted: the forwarded scheme is ignored, the request is plain http.
    expect(await write(plain, { origin: https, 'x-forwarded-proto': 'https' })).toBe(403);
    expect(
      await write(untrustedProxy, { origin: `https://${untrustedProxy.host}`, 'x-forwarded-proto': 'https' }),
    ).toBe(403);
    expect(await write(untrustedProxy, { origin: `http://${untrustedProxy.host}`, 'x-forwarded-proto': 'https' })).toBe(
      200,
    );
    // Trusted: the client used https, so an https page is same-origin and an http one is not.
    expect(await write(proxied, { origin: `https://${proxied.host}`, 'x-forwarded-proto': 'https' })).toBe(200);
    expect(await write(proxied, { origin: `http://${proxied.host}`, 'x-forwarded-proto': 'https' })).toBe(403);
    expect(
      await write(proxied, {
        origin: 'https://tessera.example.test',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'tessera.example.test',
      }),
    ).toBe(200);
  });
});
