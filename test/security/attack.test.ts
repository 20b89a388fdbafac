import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Protection } from '../../src/security/protection.js';
import { describeWith } from '../helpers/services.js';
import { counterBackends } from './backends.js';
import { buildTestApp, makeProtection } from './fixtures.js';

/**
 * Proof by attack, with the default thresholds: brute force on single accounts, credential stuffing, and a
 * distributed attack on one account run alongside a legitimate population. At least 99 % of the attempts past each
 * threshold must be refused (403/429), and the legitimate population must see under 1 % unexpected answers.
 * Each attacker stream is sequential (one request in flight per stream); the streams and the population run at once.
 * REDIS_TIMEOUT is raised so a busy shared test machine measures the rules, not the insurance fallback (fault.test.ts).
 */
for (const { name, needs, backend, redis } of counterBackends()) {
  describeWith(needs, `attack vs legitimate traffic (${name})`, () => {
    let app: FastifyInstance;
    let protection: Protection;
    const users: Record<string, string> = {};
    for (let i = 0; i < 40; i++) users[`user${i}@example.com`] = `good-password-${i}`;
    for (let i = 0; i < 6; i++) users[`victim${i}@example.com`] = `victim-secret-${i}`;

    beforeAll(async () => {
      protection = await makeProtection({
        redis: redis(),
        env: { TRUST_PROXY: 'true', REDIS_KEY_PREFIX: backend().keyPrefix, REDIS_TIMEOUT: '2s' },
      });
      app = await buildTestApp(protection, undefined, users);
    });
    afterAll(async () => {
      await app.close();
      await protection.close();
    });

    const login = (email: string, password: string, ip: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password },
        headers: { 'x-forwarded-for': ip },
      });
    const refused = (status: number) => status === 429 || status === 403;

    /** Sends `attempts` in order; returns the statuses of the attempts past `budget`. */
    async function stream(attempts: Array<[string, string, string]>, budget: number): Promise<number[]> {
      const past: number[] = [];
      for (const [i, [email, password, ip]] of attempts.entries()) {
        const res = await login(email, password, ip);
        expect(res.statusCode).toBeLessThan(500);
        if (i >= budget) past.push(res.statusCode);
      }
      return past;
    }

    it('refuses ≥ 99 % of attack attempts past the thresholds while legitimate users see < 1 % errors', async () => {
      const bruteForce = [0, 1, 2, 3, 4].map((v) =>
        stream(
          Array.from(
            { length: 60 },
            (_, i) => [`victim${v}@example.com`, `guess-${i}`, `203.0.113.${10 + v}`] as [string, string, string],
          ),
          5,
        ),
      );
      const stuffing = [0, 1, 2, 3, 4].map((s) =>
        stream(
          Array.from(
            { length: 100 },
            (_, i) => [`leaked${s}-${i}@example.com`, 'Password1!', `198.51.100.${10 + s}`] as [string, string, string],
          ),
          10,
        ),
      );
      // 50 IPs, 3 attempts each, rotating IPs on every request (a botnet), all on one account.
      const distributed = stream(
        Array.from(
          { length: 150 },
          (_, i) =>
            ['victim5@example.com', `guess-${i}`, `100.64.${i % 50}.${Math.floor(i / 50) + 1}`] as [
              string,
              string,
              string,
            ],
        ),
        20,
      );

      const legitimate = (async () => {
        let requests = 0;
        let errors = 0;
        await Promise.all(
          Array.from({ length: 40 }, async (_, u) => {
            const email = `user${u}@example.com`;
            const ip = `192.0.2.${Math.floor(u / 5) + 1}`; // groups of five behind one NAT address
            if (u % 5 === 0) {
              requests++;
              if ((await login(email, 'typo-password', ip)).statusCode !== 401) errors++;
            }
            for (let round = 0; round < 2; round++) {
              requests++;
              if ((await login(` ${email.toUpperCase()} `, users[email], ip)).statusCode !== 200) errors++;
              for (let v = 0; v < 5; v++) {
                requests++;
                if (
                  (await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { 'x-forwarded-for': ip } }))
                    .statusCode !== 200
                )
                  errors++;
              }
            }
          }),
        );
        return { requests, errors };
      })();

      const [bf, st, dist, legit] = await Promise.all([
        Promise.all(bruteForce),
        Promise.all(stuffing),
        distributed,
        legitimate,
      ]);
      const share = (statuses: number[]) => statuses.filter(refused).length / statuses.length;
      const all = [...bf.flat(), ...st.flat(), ...dist];
      expect(share(bf.flat())).toBeGreaterThanOrEqual(0.99);
      expect(share(st.flat())).toBeGreaterThanOrEqual(0.99);
      expect(share(dist)).toBeGreaterThanOrEqual(0.99);
      expect(all.length).toBe(5 * 55 + 5 * 90 + 130);
      expect(legit.errors / legit.requests).toBeLessThan(0.01);

      // After the attack, every victim's owner can still log in from a clean address once the locks expire;
      // the pair locks never touched other addresses, so victim0's owner gets in right away.
      expect((await login('victim0@example.com', 'victim-secret-0', '192.0.2.200')).statusCode).toBe(200);
      // The distributed attack locked victim5 for everyone (ACCOUNT_LOCK_BASE, 1 min): the same answer for all.
      const locked = await login('victim5@example.com', 'victim-secret-5', '192.0.2.201');
      expect(locked.statusCode).toBe(429);
      expect(locked.json().error.code).toBe('locked_out');
    });
  });
}
