import type { Scenario } from './types.js';
import { api, bearer, login } from './paths.js';
import type { MetricsSet } from '../metrics/metrics-set.js';

const ATTACKER_EVERY = 5;

const round = (v: number): number => Math.round(v * 10000) / 10000;

/**
 * One VU in five attacks (wrong passwords on the seeded accounts, from a few attacker IPs);
 * the others are the legitimate population logging in and checking their session. Success is
 * the share of attack attempts answered 429 while legitimate logins keep working.
 * Distinct client IPs travel in X-Forwarded-For, so the target needs TRUST_PROXY.
 */
export const bruteforce: Scenario = {
  name: 'bruteforce',
  description: 'attackers fail logins (1 VU in 5) while a legitimate population logs in',
  needsUsers: true,
  async iteration(vu) {
    if (vu.id % ATTACKER_EVERY === 0) {
      const ip = `203.0.113.${((vu.id / ATTACKER_EVERY) % 8) + 1}`;
      const res = await vu.request('attack_login', 'POST', api(vu, '/v1/auth/login'), {
        json: { email: vu.user.email, password: `wrong-${vu.iteration}-guess` },
        headers: { 'x-forwarded-for': ip },
        expect: [401, 429],
      });
      vu.count('attack_attempts');
      if (res.status === 429) vu.count('attack_blocked');
      if (res.status === 200) vu.count('attack_succeeded');
      return;
    }
    const ip = `198.51.100.${(vu.id % 250) + 1}`;
    const token = await login(vu, { 'x-forwarded-for': ip });
    vu.count('legit_logins');
    if (!token) return;
    vu.count('legit_ok');
    const res = await vu.request('session', 'GET', api(vu, '/v1/auth/session'), {
      headers: { ...bearer(token), 'x-forwarded-for': ip },
    });
    vu.check('session is 200', res.status === 200);
    await vu.request('logout', 'POST', api(vu, '/v1/auth/logout'), {
      headers: { ...bearer(token), 'x-forwarded-for': ip },
    });
    vu.cookies.clear();
  },
  results(totals: MetricsSet) {
    const c = totals.counters;
    const attempts = c.attack_attempts ?? 0;
    const legit = c.legit_logins ?? 0;
    return {
      attack_attempts: attempts,
      attack_blocked_share: attempts ? round((c.attack_blocked ?? 0) / attempts) : 0,
      attack_succeeded: c.attack_succeeded ?? 0,
      legitimate_login_success_rate: legit ? round((c.legit_ok ?? 0) / legit) : 0,
    };
  },
};
