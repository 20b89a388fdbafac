import { randomUUID } from 'node:crypto';
import type { Scenario } from './types.js';
import { api } from './paths.js';

/** A new account per iteration. */
export const signup: Scenario = {
  name: 'signup',
  description: 'POST /v1/auth/signup with a fresh email each iteration',
  needsUsers: false,
  async iteration(vu) {
    const email = `lt-signup-${randomUUID()}@loadtest.local`;
    const res = await vu.request('signup', 'POST', api(vu, '/v1/auth/signup'), {
      json: { email, password: vu.user.password, name: 'Load test signup' },
    });
    vu.check('signup is 201', res.status === 201);
  },
};
