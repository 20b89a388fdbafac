import type { Vu } from '../engine/vu.js';

/** Tessera's routes, resolved against the target's base path. */
export function api(vu: Vu, path: string): string {
  const base = new URL(vu.shared.plan.target).pathname.replace(/\/$/, '');
  return base + path;
}

export function bearer(token: unknown): Record<string, string> {
  return typeof token === 'string' ? { authorization: `Bearer ${token}` } : {};
}

/** Logs the VU's user in; returns the token or undefined (and records a failed check). */
export async function login(vu: Vu, headers: Record<string, string> = {}): Promise<string | undefined> {
  const { email, password } = vu.user;
  const res = await vu.request('login', 'POST', api(vu, '/v1/auth/login'), { json: { email, password }, headers });
  const token = res.json<{ token?: unknown }>()?.token;
  vu.check('login is 200 with a token', res.status === 200 && typeof token === 'string');
  return typeof token === 'string' ? token : undefined;
}
