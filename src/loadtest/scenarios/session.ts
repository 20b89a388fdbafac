import type { Scenario } from './types.js';
import { api, bearer, login } from './paths.js';

const CHECKS_PER_SESSION = 5;

/** login → checks and API calls → refresh → check with the new token → logout. */
export const session: Scenario = {
  name: 'session',
  description: `login → ${CHECKS_PER_SESSION} checks and a sessions list → refresh → logout`,
  needsUsers: true,
  async iteration(vu) {
    let token = await login(vu);
    if (!token) return;
    for (let i = 0; i < CHECKS_PER_SESSION; i++) {
      const res = await vu.request('session', 'GET', api(vu, '/v1/auth/session'), { headers: bearer(token) });
      vu.check('session is 200', res.status === 200);
    }
    const list = await vu.request('sessions_list', 'GET', api(vu, '/v1/auth/sessions'), { headers: bearer(token) });
    vu.check('sessions list is 200', list.status === 200);
    const refreshed = await vu.request('refresh', 'POST', api(vu, '/v1/auth/session/refresh'), {
      headers: bearer(token),
    });
    const next = refreshed.json<{ token?: unknown }>()?.token;
    vu.check('refresh is 200 with a new token', refreshed.status === 200 && typeof next === 'string' && next !== token);
    if (typeof next === 'string') token = next;
    const after = await vu.request('session', 'GET', api(vu, '/v1/auth/session'), { headers: bearer(token) });
    vu.check('session is 200', after.status === 200);
    const out = await vu.request('logout', 'POST', api(vu, '/v1/auth/logout'), { headers: bearer(token) });
    vu.check('logout is 204', out.status === 204);
    vu.cookies.clear();
  },
};
