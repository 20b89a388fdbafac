import type { Scenario } from './types.js';
import type { Vu } from '../engine/vu.js';
import { api, bearer, login } from './paths.js';

/** Validations of the session before it is revoked (warming every cache tier). */
const WARM_CHECKS = 3;
/** Validations right after the revocation was answered: each 200 is a stale answer. */
const CHECKS_AFTER = 3;

type Revocation = 'logout' | 'logout_all' | 'password';
const REVOCATIONS: Revocation[] = ['logout', 'logout_all', 'password'];

/**
 * Invalidation stress: each iteration logs in (session A), validates it until it is cached, then revokes it in
 * turn by a logout, by a logout-all from a second session, or by a password change from a second session, and
 * validates A again at once. Any 200 after the revocation was answered is a stale answer (stale_answers): the
 * caches served a dead session. With several instances behind --target, the checks race the revocation across
 * instances.
 */
export const invalidation: Scenario = {
  name: 'invalidation',
  description: 'logouts, logout-all and password changes racing validations of the revoked session',
  needsUsers: true,
  async iteration(vu) {
    const a = await login(vu);
    if (!a) return;
    for (let i = 0; i < WARM_CHECKS; i++)
      await vu.request('validate', 'GET', api(vu, '/v1/auth/session'), { headers: bearer(a) });
    const kind = REVOCATIONS[vu.iteration % REVOCATIONS.length];
    if (!(await revoke(vu, kind, a))) return;
    vu.count('invalidations');
    for (let i = 0; i < CHECKS_AFTER; i++) {
      const res = await vu.request('validate_revoked', 'GET', api(vu, '/v1/auth/session'), {
        headers: bearer(a),
        expect: [401],
        noThink: true,
      });
      vu.count('revoked_checks');
      if (res.status === 200) vu.count('stale_answers');
      vu.check('a revoked session is refused', res.status === 401);
    }
    vu.cookies.clear();
  },
  results(totals) {
    const c = totals.counters;
    return {
      invalidations: c.invalidations ?? 0,
      revoked_checks: c.revoked_checks ?? 0,
      stale_answers: c.stale_answers ?? 0,
    };
  },
};

async function revoke(vu: Vu, kind: Revocation, token: string): Promise<boolean> {
  if (kind === 'logout') {
    const res = await vu.request('logout', 'POST', api(vu, '/v1/auth/logout'), { headers: bearer(token) });
    return vu.check('logout is 204', res.status === 204);
  }
  vu.cookies.clear();
  const other = await login(vu);
  if (!other) return false;
  const res =
    kind === 'logout_all'
      ? await vu.request('logout_all', 'POST', api(vu, '/v1/auth/logout-all'), { headers: bearer(other) })
      : await vu.request('password_change', 'POST', api(vu, '/v1/auth/password'), {
          headers: bearer(other),
          json: { currentPassword: vu.user.password, newPassword: vu.user.password },
        });
  const ok = vu.check(`${kind} is 204`, res.status === 204);
  if (kind === 'password') await vu.request('logout', 'POST', api(vu, '/v1/auth/logout'), { headers: bearer(other) });
  return ok;
}
