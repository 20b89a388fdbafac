import type { Scenario } from './types.js';
import { api, bearer, login } from './paths.js';

/** login → check → logout. */
export const auth: Scenario = {
  name: 'auth',
  description: 'login → session check → logout',
  needsUsers: true,
  async iteration(vu) {
    const token = await login(vu);
    if (!token) return;
    const check = await vu.request('session', 'GET', api(vu, '/v1/auth/session'), { headers: bearer(token) });
    vu.check('session is 200', check.status === 200);
    const out = await vu.request('logout', 'POST', api(vu, '/v1/auth/logout'), { headers: bearer(token) });
    vu.check('logout is 204', out.status === 204);
    vu.cookies.clear();
  },
};
