import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../src/security/events.js';
import { apiClient, startTestTessera, uniqueEmail, type TestTessera } from '../helpers/tessera.js';

const ADMIN = { email: 'allow-admin@example.test', password: 'admin-password-123' };
const OPERATOR = '192.0.2.10';
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

/** The reported lock-out: an allow-listed operator address banned by credential stuffing, the admin API then 403. */
describe('allow-listed addresses are never banned or throttled', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-allowlist-'));
  const env = {
    TESSERA_DATA_DIR: dataDir,
    TRUST_PROXY: 'true',
    TESSERA_ADMIN_EMAIL: ADMIN.email,
    TESSERA_ADMIN_PASSWORD: ADMIN.password,
  };
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  const seen: SecurityEvent[] = [];

  beforeAll(async () => {
    t = await startTestTessera({ ...env, IP_ALLOWLIST: `${OPERATOR}/32` });
    t.runtime.protection!.events.onEvent((e) => seen.push(e));
    api = apiClient(t.url);
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ten failed logins on different emails raise credential stuffing, logged only: the operator keeps the admin API', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await api(
        'POST',
        '/v1/auth/login',
        { email: uniqueEmail('stuffed'), password: 'wrong-password' },
        from(OPERATOR),
      );
      expect(res.status).toBe(401);
    }
    const stuffing = seen.filter((e) => e.type === 'credential_stuffing' && e.ip === OPERATOR);
    expect(stuffing).toHaveLength(1);
    expect(stuffing[0]).toMatchObject({ action: 'log', details: { allowlisted: true } });
    expect(seen.some((e) => e.type === 'ip_banned' && e.ip === OPERATOR)).toBe(false);
    expect(t.runtime.protection!.bans.isBanned(OPERATOR)).toBeUndefined();

    const login = await api('POST', '/v1/auth/login', ADMIN, from(OPERATOR));
    expect(login.status).toBe(200);
    const bans = await api('GET', '/v1/admin/security/bans', undefined, { token: login.body.token, ...from(OPERATOR) });
    expect(bans.status).toBe(200);
  });

  it('an admin cannot ban an allow-listed address (400 naming the field)', async () => {
    const login = await api('POST', '/v1/auth/login', ADMIN, from(OPERATOR));
    const res = await api(
      'POST',
      '/v1/admin/security/bans',
      { ip: OPERATOR, ttl: 600 },
      { token: login.body.token, ...from(OPERATOR) },
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', details: [{ field: 'ip' }] });
  });

  it('a ban held from before the address was allow-listed survives a restart but refuses nothing', async () => {
    await t.stop().catch(() => {});
    const before = await startTestTessera({ ...env, TESSERA_DATA_DIR: dataDir });
    await before.runtime.protection!.bans.add({ ip: OPERATOR, ttlMs: 3_600_000, reason: 'test' });
    const plain = apiClient(before.url);
    expect((await plain('POST', '/v1/auth/login', ADMIN, from(OPERATOR))).status).toBe(403);
    await before.stop();

    t = await startTestTessera({ ...env, IP_ALLOWLIST: `${OPERATOR}/32` });
    api = apiClient(t.url);
    expect(t.runtime.protection!.bans.list().map((b) => b.ip)).toContain(OPERATOR);
    const login = await api('POST', '/v1/auth/login', ADMIN, from(OPERATOR));
    expect(login.status).toBe(200);
    expect(
      (await api('GET', '/v1/admin/security/bans', undefined, { token: login.body.token, ...from(OPERATOR) })).status,
    ).toBe(200);
  });
});
