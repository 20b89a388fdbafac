import type { Scenario } from './types.js';
import { api, bearer, login } from './paths.js';

/** One refresh (token rotation) every this many iterations. */
const REFRESH_EVERY = 10;

/**
 * Session writes: each VU logs in once and keeps its session; every iteration reads the session and writes its
 * data with compare-and-set on the version it read (PATCH /v1/auth/session/data), and every 10th rotates the
 * token. A 409 version_conflict is an answer the flow expects (counted as write_conflicts), not a failure.
 */
export const writeHeavy: Scenario = {
  name: 'write-heavy',
  description: `session data writes (compare-and-set on version) after each read, a refresh every ${REFRESH_EVERY}`,
  needsUsers: true,
  async iteration(vu) {
    let token = vu.vars.token as string | undefined;
    if (!token) {
      token = await login(vu);
      if (!token) return;
      vu.vars.token = token;
    }
    const read = await vu.request('session', 'GET', api(vu, '/v1/auth/session'), { headers: bearer(token) });
    if (read.status === 401) {
      vu.vars.token = undefined;
      return;
    }
    const version = read.json<{ session?: { version?: number } }>()?.session?.version ?? 0;
    const write = await vu.request('write_data', 'PATCH', api(vu, '/v1/auth/session/data'), {
      headers: bearer(token),
      json: { data: { cart: vu.iteration, at: Date.now() }, version },
      expect: [200, 409],
    });
    vu.count('writes');
    if (write.status === 409) vu.count('write_conflicts');
    vu.check('data write is 200 or 409', write.status === 200 || write.status === 409);
    if (vu.iteration % REFRESH_EVERY === REFRESH_EVERY - 1) {
      const refreshed = await vu.request('refresh', 'POST', api(vu, '/v1/auth/session/refresh'), {
        headers: bearer(token),
      });
      const next = refreshed.json<{ token?: unknown }>()?.token;
      vu.check('refresh is 200 with a new token', refreshed.status === 200 && typeof next === 'string');
      if (typeof next === 'string') vu.vars.token = next;
    }
  },
  results(totals) {
    const writes = totals.counters.writes ?? 0;
    return {
      writes,
      write_conflicts: totals.counters.write_conflicts ?? 0,
      write_conflict_rate: writes ? Math.round(((totals.counters.write_conflicts ?? 0) / writes) * 10000) / 10000 : 0,
    };
  },
};
