import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import {
  apiClient,
  newSession,
  PASSWORD,
  startTestTessera,
  uniqueEmail,
  type TestTessera,
} from '../helpers/tessera.js';

describeWith(['redis', 'postgres'], 'PostgreSQL down (cut at a TCP proxy)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let server: TestTessera;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
    url.port = String(proxy.port);
    server = await startTestTessera({
      DATABASE_URL: url.toString(),
      REDIS_URL,
      REDIS_KEY_PREFIX: uniquePrefix('pgdown'),
      DATABASE_TIMEOUT: '500ms',
    });
    api = apiClient(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await db?.drop();
  });

  it('cached sessions keep validating, logins and signups answer 503 unavailable, and it recovers by itself', async () => {
    const sessions = await Promise.all([1, 2, 3].map(() => newSession(api)));
    await new Promise((r) => setTimeout(r, 100));
    proxy.cut();
    try {
      for (const { token } of sessions) {
        for (let i = 0; i < 5; i += 1)
          expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
      }
      const login = await api('POST', '/v1/auth/login', { email: sessions[0].email, password: PASSWORD });
      expect(login.status).toBe(503);
      expect(login.body.error.code).toBe('unavailable');
      expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);
      const signup = await api('POST', '/v1/auth/signup', { email: uniqueEmail(), password: PASSWORD });
      expect(signup.status).toBe(503);
      const ready = await api('GET', '/ready');
      expect(ready.status).toBe(503);
      expect((await api('GET', '/health')).status).toBe(200);
    } finally {
      proxy.restore();
    }
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await api('POST', '/v1/auth/login', { email: sessions[0].email, password: PASSWORD })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect((await api('GET', '/ready')).status).toBe(200);
  });
});
