import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, startTestTessera, type TestTessera } from '../helpers/tessera.js';

/**
 * Proof by attack against the real server (embedded, real argon2 hashing, the default thresholds): brute force on
 * single accounts, credential stuffing and a distributed attack on one account, alongside a legitimate population.
 * ≥ 99 % of the attempts past each threshold are refused; the legitimate population sees < 1 % unexpected answers.
 * Attacker streams are sequential (one request in flight each) and run together with the population.
 */
describe('attack vs legitimate traffic, real server', () => {
  let t: TestTessera;
  let api: ReturnType<typeof apiClient>;
  const users = Array.from({ length: 20 }, (_, i) => ({
    email: `legit${i}@example.test`,
    password: `legit-password-${i}`,
  }));
  const victims = Array.from({ length: 6 }, (_, i) => ({
    email: `victim${i}@example.test`,
    password: `victim-password-${i}`,
  }));

  beforeAll(async () => {
    // The defaults, not the helper's generous functional-test limits.
    t = await startTestTessera({
      TRUST_PROXY: 'true',
      RATE_LIMIT_IP_PER_MIN: '600',
      RATE_LIMIT_LOGIN_PER_MIN: '20',
      RATE_LIMIT_SIGNUP_PER_MIN: '10',
      RATE_LIMIT_USER_PER_MIN: '600',
    });
    api = apiClient(t.url);
    await Promise.all(
      [...users, ...victims].map((u, i) =>
        api('POST', '/v1/auth/signup', u, { headers: { 'x-forwarded-for': `10.9.${i}.1` } }),
      ),
    );
  }, 60_000);
  afterAll(async () => t?.stop());

  const login = (email: string, password: string, ip: string) =>
    api('POST', '/v1/auth/login', { email, password }, { headers: { 'x-forwarded-for': ip } });

  async function stream(attempts: Array<[string, string, string]>, budget: number): Promise<number[]> {
    const past: number[] = [];
    for (const [i, [email, password, ip]] of attempts.entries()) {
      const res = await login(email, password, ip);
      expect(res.status).toBeLessThan(500);
      if (i >= budget) past.push(res.status);
    }
    return past;
  }

  it('refuses ≥ 99 % of attack attempts past the thresholds while legitimate users see < 1 % errors', async () => {
    const attacks = [
      ...[0, 1, 2, 3, 4].map((v) =>
        stream(
          Array.from(
            { length: 40 },
            (_, i) => [victims[v].email, `guess-${i}`, `203.0.113.${10 + v}`] as [string, string, string],
          ),
          5,
        ),
      ),
      ...[0, 1, 2, 3, 4].map((s) =>
        stream(
          Array.from(
            { length: 60 },
            (_, i) =>
              [`leaked${s}-${i}@example.test`, 'Password1!', `198.51.100.${10 + s}`] as [string, string, string],
          ),
          10,
        ),
      ),
      stream(
        Array.from(
          { length: 120 },
          (_, i) =>
            [victims[5].email, `guess-${i}`, `100.64.${i % 40}.${Math.floor(i / 40) + 1}`] as [string, string, string],
        ),
        20,
      ),
    ];
    const legitimate = (async () => {
      let requests = 0;
      let errors = 0;
      await Promise.all(
        users.map(async (u, n) => {
          const ip = `192.0.2.${Math.floor(n / 5) + 1}`; // five users behind each NAT address
          if (n % 5 === 0) {
            requests++;
            if ((await login(u.email, 'typo-password', ip)).status !== 401) errors++;
          }
          requests++;
          const res = await login(u.email, u.password, ip);
          if (res.status !== 200) errors++;
          for (let v = 0; v < 10; v++) {
            requests++;
            if (
              (
                await api('GET', '/v1/auth/session', undefined, {
                  token: res.body.token,
                  headers: { 'x-forwarded-for': ip },
                })
              ).status !== 200
            )
              errors++;
          }
          requests++;
          if (
            (
              await api('POST', '/v1/auth/logout', undefined, {
                token: res.body.token,
                headers: { 'x-forwarded-for': ip },
              })
            ).status !== 204
          )
            errors++;
        }),
      );
      return { requests, errors };
    })();

    const [results, legit] = await Promise.all([Promise.all(attacks), legitimate]);
    const refused = (s: number) => s === 429 || s === 403;
    for (const past of results) expect(past.filter(refused).length / past.length).toBeGreaterThanOrEqual(0.99);
    expect(results.flat().length).toBe(5 * 35 + 5 * 50 + 100);
    expect(legit.errors / legit.requests).toBeLessThan(0.01);
    // The owner of a brute-forced account still gets in from a clean address.
    expect((await login(victims[0].email, victims[0].password, '192.0.2.200')).status).toBe(200);
  }, 60_000);
});
