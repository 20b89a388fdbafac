import type { Scenario } from './types.js';
import { auth } from './auth.js';
import { session } from './session.js';
import { cache, hitRates } from './cache.js';
import { signup } from './signup.js';

/** Weighted blend of the flows a real population runs. */
export const MIXED_WEIGHTS: ReadonlyArray<[Scenario, number]> = [
  [session, 50],
  [auth, 25],
  [cache, 20],
  [signup, 5],
];

export const mixed: Scenario = {
  name: 'mixed',
  description: `weighted: ${MIXED_WEIGHTS.map(([s, w]) => `${s.name} ${w}%`).join(', ')}`,
  needsUsers: true,
  async setup(ctx) {
    return cache.setup!(ctx);
  },
  async iteration(vu) {
    let roll = Math.random() * 100;
    for (const [scenario, weight] of MIXED_WEIGHTS) {
      roll -= weight;
      if (roll < 0) return scenario.iteration(vu);
    }
    return session.iteration(vu);
  },
  results: hitRates,
};
