const ADMIN_EMAIL = 'bench-admin@example.test';
const ADMIN_PASSWORD = 'bench-admin-password-0123';

/** Environment that makes a Tessera target create the admin who can mint service keys. */
export const UPSTREAM_ADMIN_ENV = { TESSERA_ADMIN_EMAIL: ADMIN_EMAIL, TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD };

async function json(res: Response, expected: number, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${what} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Signs the admin in on `base` and creates a service key (`tsk_…`) there. */
export async function createServiceKey(base: string, name: string): Promise<string> {
  const login = await json(
    await fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    }),
    200,
    'admin login',
  );
  const created = await json(
    await fetch(`${base}/v1/admin/service-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${String(login.token)}` },
      body: JSON.stringify({ name }),
    }),
    201,
    'service key creation',
  );
  return String(created.key);
}

/** Logs a user in on `base` (signing it up first when `signUp`), returning the token. */
export async function logInUser(base: string, email: string, password: string, signUp: boolean): Promise<string> {
  const post = (route: string) =>
    fetch(base + route, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
  if (signUp) await json(await post('/v1/auth/signup'), 201, 'signup');
  return String((await json(await post('/v1/auth/login'), 200, 'login')).token);
}
