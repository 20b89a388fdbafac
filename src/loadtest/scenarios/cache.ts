import { Pool } from 'undici';
import type { Scenario } from './types.js';
import { api, bearer } from './paths.js';
import { DEFAULT_PASSWORD, userEmail } from '../types.js';
import type { MetricsSet } from '../metrics/metrics-set.js';

const BURST = 10;
const HOT_SET = 10;

/** The share of validations served by each tier, from the target's Server-Timing headers. */
export function hitRates(totals: MetricsSet): Record<string, number> {
  const tiers = totals.step('cached_session').cache;
  const l1 = tiers.L1 ?? 0;
  const l2 = tiers.L2 ?? 0;
  const db = tiers.DB ?? 0;
  const all = l1 + l2 + db;
  if (all === 0) return {};
  return {
    cache_hit_rate: round((l1 + l2) / all),
    cache_l1_rate: round(l1 / all),
    cache_l2_rate: round(l2 / all),
    cache_db_rate: round(db / all),
    cache_tier_samples: all,
  };
}

const round = (v: number): number => Math.round(v * 10000) / 10000;

/** Logs in a hot set of sessions once, then each iteration is a burst of checks on them. */
export const cache: Scenario = {
  name: 'cache',
  description: `bursts of ${BURST} session checks over a hot set of ${HOT_SET} sessions; reports the cache hit rate`,
  needsUsers: true,
  async setup({ plan }) {
    const origin = new URL(plan.target).origin;
    const base = new URL(plan.target).pathname.replace(/\/$/, '');
    const pool = new Pool(origin, { connections: 2 });
    const tokens: string[] = [];
    try {
      for (let i = 1; i <= Math.min(HOT_SET, Math.max(plan.users, 1)); i++) {
        const res = await pool.request({
          path: `${base}/v1/auth/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: userEmail(i), password: plan.password || DEFAULT_PASSWORD }),
        });
        const body = (await res.body.json().catch(() => undefined)) as { token?: unknown } | undefined;
        if (res.statusCode === 200 && typeof body?.token === 'string') tokens.push(body.token);
      }
    } finally {
      await pool.close();
    }
    if (tokens.length === 0) throw new Error('cache scenario: could not log in any hot-set user');
    return { tokens };
  },
  async iteration(vu) {
    const tokens = (vu.setupData as { tokens: string[] } | undefined)?.tokens ?? [];
    for (let i = 0; i < BURST; i++) {
      const token = tokens[Math.floor(Math.random() * tokens.length)];
      const res = await vu.request('cached_session', 'GET', api(vu, '/v1/auth/session'), {
        headers: bearer(token),
        noThink: true,
      });
      vu.check('session is 200', res.status === 200);
    }
  },
  results: hitRates,
};
