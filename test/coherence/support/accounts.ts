import { expect } from 'vitest';
import { newSession, PASSWORD } from '../../helpers/tessera.js';
import type { Api } from './instances.js';

/** Signs up `count` users through `api`; their emails. */
export const signUpUsers = (api: Api, count: number): Promise<string[]> =>
  Promise.all(Array.from({ length: count }, async () => (await newSession(api)).email));

/** A fresh session for every email, logged in through `api`. */
export const logInAll = (api: Api, emails: string[]): Promise<Array<{ sessionId: string; token: string }>> =>
  Promise.all(
    emails.map(async (email) => {
      const login = await api('POST', '/v1/auth/login', { email, password: PASSWORD });
      expect(login.status).toBe(200);
      return { sessionId: login.body.session.id as string, token: login.body.token as string };
    }),
  );
