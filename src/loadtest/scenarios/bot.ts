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

/** Unknown addresses on the bots' list beside the real target accounts (a leaked list is mostly misses). */
const LEAKED_EMAILS = 500;
/** One request in this many is a signup; the others are credential-stuffing logins. */
const SIGNUP_EVERY = 10;

/**
 * Bots as the seeds describe them: `--bots N` (default 100) at `--bot-rate R/min` each (default 50/min), each one
 * stable address and client (User-Agent), stuffing credentials from a list of real and unknown emails and signing
 * up accounts; beside them legitimate users log in. Reports attack_blocked, time to first block, bans seen and
 * legit_failed (see attack-population.ts).
 */
export const bot: Scenario = {
  name: 'bot',
  description:
    'bots (stable address and client each, a set rate) stuff credentials and sign up while legitimate users log in',
  needsUsers: true,
  async iteration(vu) {
    const plan = attackPlan(vu);
    if (vu.id >= plan.clients) return legitIteration(vu, plan);
    if (!(await paced(vu, 1000 / plan.perSec))) return;
    const k = vu.iteration;
    const headers = {
      'x-forwarded-for': attackerAddress(vu.id, plan.nonce),
      'user-agent': `Mozilla/5.0 (compatible; tessera-loadtest-bot/${vu.id})`,
    };
    if (k % SIGNUP_EVERY === SIGNUP_EVERY - 1) {
      const res = await vu.request('bot_signup', 'POST', api(vu, '/v1/auth/signup'), {
        json: { email: `bot-${plan.nonce}-${vu.id}-${k}@loadtest.local`, password: `Bot-Passw0rd-${k}` },
        headers,
        expect: [201, 403, 409, 429],
      });
      recordAttack(vu, res.status);
      return;
    }
    const n = (vu.id * 7 + k) % (plan.targets + LEAKED_EMAILS);
    const email = n < plan.targets ? targetEmail(plan, n) : `leaked-${n}@loadtest.local`;
    const res = await vu.request('bot_login', 'POST', api(vu, '/v1/auth/login'), {
      json: { email, password: `Leaked-${n}-pass` },
      headers,
      expect: [401, 403, 429],
    });
    recordAttack(vu, res.status);
    if (res.status === 200) vu.count('attack_succeeded');
  },
  results: attackResults,
};
