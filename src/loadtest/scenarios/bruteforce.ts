import type { Scenario } from './types.js';
import { api } from './paths.js';
import {
  attackPlan,
  attackResults,
  attackerAddress,
  legitIteration,
  paced,
  recordAttack,
  targetEmail,
} from './attack-population.js';

/**
 * Brute force as the seeds describe it: `--attackers N` (default 50), each from one stable address, each failing
 * logins on real (seeded) accounts at `--attack-rate R/s` (default 10/s), going round the target accounts; beside
 * them `--legit-vus` legitimate users log in and check their sessions. Reports attack_blocked, time to first
 * block, bans seen and legit_failed (see attack-population.ts).
 */
export const bruteforce: Scenario = {
  name: 'bruteforce',
  description:
    'attackers (stable addresses, a set rate each) fail logins on real accounts while legitimate users log in',
  needsUsers: true,
  async iteration(vu) {
    const plan = attackPlan(vu);
    if (vu.id >= plan.clients) return legitIteration(vu, plan);
    if (!(await paced(vu, 1000 / plan.perSec))) return;
    const attempt = vu.iteration;
    const res = await vu.request('attack_login', 'POST', api(vu, '/v1/auth/login'), {
      json: { email: targetEmail(plan, vu.id + attempt), password: `Wrong-guess-${attempt}!` },
      headers: {
        'x-forwarded-for': attackerAddress(vu.id, plan.nonce),
        'user-agent': `tessera-loadtest attacker/${vu.id}`,
      },
      expect: [401, 403, 429],
    });
    recordAttack(vu, res.status);
    if (res.status === 200) vu.count('attack_succeeded');
  },
  results: attackResults,
};
