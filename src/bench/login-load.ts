import { randomBytes } from 'node:crypto';
import type { TargetHandle } from './targets.js';

export const LOGIN_PASSWORD = 'bench-login-password-0123456789';

/**
 * The same target, loaded with `POST /v1/auth/login` instead of its default request. For Tessera, signs up the
 * account first (from the driver's process, like log-in.ts); the raw-verify target takes the same body.
 */
export async function asLoginLoad(target: TargetHandle, tessera: boolean): Promise<TargetHandle> {
  const origin = new URL(target.info.url).origin;
  const email = `bench-login-${randomBytes(6).toString('hex')}@example.test`;
  const body = JSON.stringify({ email, password: LOGIN_PASSWORD });
  const headers = { 'content-type': 'application/json' };
  if (tessera) {
    const signup = await fetch(`${origin}/v1/auth/signup`, { method: 'POST', headers, body });
    if (signup.status !== 201) throw new Error(`${target.name}: signup answered ${signup.status}`);
  }
  const url = `${origin}/v1/auth/login`;
  const check = await fetch(url, { method: 'POST', headers, body });
  await check.text();
  if (check.status !== 200) throw new Error(`${target.name}: login answered ${check.status}`);
  return { ...target, info: { url, headers, method: 'POST', body } };
}
