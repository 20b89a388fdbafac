import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';

describe('PROTECTION_FEATURES', () => {
  it('reads all, none or a list, and refuses an unknown feature naming the variable', () => {
    expect(loadConfig({}).protectionFeatures).toEqual({
      audit: true,
      anomalies: true,
      rateLimits: true,
      reputation: true,
      alerts: true,
    });
    expect(Object.values(loadConfig({ PROTECTION_FEATURES: 'none' }).protectionFeatures)).not.toContain(true);
    expect(loadConfig({ PROTECTION_FEATURES: 'rate-limits, audit' }).protectionFeatures).toMatchObject({
      audit: true,
      rateLimits: true,
      anomalies: false,
      reputation: false,
      alerts: false,
    });
    for (const bad of ['ratelimits', 'all,audit', ',', 'audit,bogus'])
      expect(() => loadConfig({ PROTECTION_FEATURES: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ PROTECTION_FEATURES: 'bogus' })).toThrow(/PROTECTION_FEATURES/);
  });

  describe('each feature left out does nothing, the others still run', () => {
    let server: TestTessera | undefined;
    afterEach(async () => {
      await server?.stop();
      server = undefined;
    });

    const start = async (features: string) => {
      server = await startTestTessera({
        PROTECTION_FEATURES: features,
        RATE_LIMIT_USER_PER_MIN: '3',
        // One failed login (a point of reputation) is then enough to be refused, when reputation runs.
        REPUTATION_THRESHOLD: '100',
      });
      return apiClient(server.url);
    };
    const failLogin = (api: ReturnType<typeof apiClient>, email: string) =>
      api('POST', '/v1/auth/login', { email, password: 'not the password' });
    const auditCount = async (type: string) => (await server!.runtime.store.audit.query({ type, limit: 100 })).length;

    it('without rate-limits and reputation: no per-user limit, no refusal by reputation; the audit log still records', async () => {
      const api = await start('audit,anomalies,alerts');
      const { token, email } = await newSession(api);
      expect((await failLogin(api, email)).status).toBe(401);
      for (let i = 0; i < 6; i += 1) {
        const res = await api('GET', '/v1/auth/sessions', undefined, { token });
        expect(res.status).toBe(200);
        expect(res.headers.get('ratelimit-limit')).toBeNull();
      }
      expect(await auditCount('login_success')).toBeGreaterThanOrEqual(1);
      // No brute-force guard either: more failures than LOGIN_MAX_CONSECUTIVE_FAILS_PER_EMAIL_IP lock nothing.
      for (let i = 0; i < 6; i += 1) expect((await failLogin(api, email)).status).toBe(401);
      expect((await api('POST', '/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    });

    it('with reputation: a failed login lowers the score below the threshold and the next request is refused', async () => {
      const api = await start('reputation');
      const { token, email } = await newSession(api);
      expect((await api('GET', '/v1/auth/sessions', undefined, { token })).status).toBe(200);
      expect((await failLogin(api, email)).status).toBe(401);
      const refused = await api('GET', '/v1/auth/sessions', undefined, { token });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
    });

    it('with rate-limits only: the per-user limit refuses; without audit nothing is recorded', async () => {
      const api = await start('rate-limits');
      const { token } = await newSession(api);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1)
        statuses.push((await api('GET', '/v1/auth/sessions', undefined, { token })).status);
      expect(statuses).toContain(429);
      expect(await auditCount('login_success')).toBe(0);
      expect(await auditCount('signup')).toBe(0);
    });
  });
});
