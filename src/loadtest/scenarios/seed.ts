import { Pool } from 'undici';
import { DEFAULT_PASSWORD, userEmail, type RunPlan } from '../types.js';

export interface SeedResult {
  created: number;
  existing: number;
}

export interface SeedAdmin {
  email: string;
  password: string;
}

/** Accounts per POST /v1/admin/users/bulk (the route takes up to 500; 200 keeps each body small). */
const BULK_BATCH = 200;

const ADVICE =
  'pass --admin-email/--admin-password (an admin of the target: users are then created through POST /v1/admin/users/bulk, which no signup limit applies to), or add the generator address to the target IP_ALLOWLIST, or seed fewer users with --users';

/**
 * Creates lt-user-1..N@loadtest.local before the run. With an admin's credentials, through
 * POST /v1/admin/users/bulk; without, through POST /v1/auth/signup after a probe: when the target's signup
 * limit (its RateLimit-* headers) cannot take the users still to create, or it answers 429, seeding stops at
 * once with what to do (it never waits out a limit).
 */
export async function seedUsers(plan: RunPlan, log: (line: string) => void, admin?: SeedAdmin): Promise<SeedResult> {
  const target = new URL(plan.target);
  const base = target.pathname.replace(/\/$/, '');
  const pool = new Pool(target.origin, { connections: 4, pipelining: 1 });
  const password = plan.password || DEFAULT_PASSWORD;
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await pool.request({
      path: `${base}${path}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  };
  try {
    const result = admin
      ? await seedAsAdmin(plan.users, password, admin, post)
      : await seedBySignup(plan.users, password, post);
    log(`seeded ${plan.users} users (${result.created} created, ${result.existing} already there)`);
    return result;
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw code ? new Error(`cannot seed users: ${plan.target} is unreachable (${code})`) : error;
  } finally {
    await pool.close();
  }
}

type Post = (
  path: string,
  body: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;

const brief = (text: string): string => text.slice(0, 200);

async function seedAsAdmin(users: number, password: string, admin: SeedAdmin, post: Post): Promise<SeedResult> {
  const login = await post('/v1/auth/login', { email: admin.email, password: admin.password });
  if (login.status !== 200)
    throw new Error(
      `seeding: the admin login as ${admin.email} failed (HTTP ${login.status} ${brief(login.text)}); check --admin-email/--admin-password`,
    );
  const token = (JSON.parse(login.text) as { token: string }).token;
  const result: SeedResult = { created: 0, existing: 0 };
  for (let first = 1; first <= users; first += BULK_BATCH) {
    const batch = [];
    for (let n = first; n < Math.min(first + BULK_BATCH, users + 1); n++)
      batch.push({ email: userEmail(n), password, name: `Load test user ${n}` });
    const res = await post('/v1/admin/users/bulk', { users: batch }, { authorization: `Bearer ${token}` });
    if (res.status === 403)
      throw new Error(`seeding: ${admin.email} is not an admin of the target (HTTP 403); give an admin's credentials`);
    if (res.status !== 200)
      throw new Error(
        `seeding through POST /v1/admin/users/bulk failed: HTTP ${res.status} ${brief(res.text)}${res.status === 404 ? ' (the target has no bulk route: is it a Tessera of this version?)' : ''}`,
      );
    const body = JSON.parse(res.text) as SeedResult;
    result.created += body.created;
    result.existing += body.existing;
  }
  return result;
}

async function seedBySignup(users: number, password: string, post: Post): Promise<SeedResult> {
  const result: SeedResult = { created: 0, existing: 0 };
  const signup = async (n: number): Promise<string | undefined> => {
    const res = await post('/v1/auth/signup', { email: userEmail(n), password, name: `Load test user ${n}` });
    if (res.status === 201 || res.status === 200) result.created++;
    else if (res.status === 409) result.existing++;
    else if (res.status === 429 || res.status === 403)
      throw new Error(
        `seeding ${userEmail(n)} through POST /v1/auth/signup was refused (HTTP ${res.status} ${brief(res.text)}): ${ADVICE}`,
      );
    else throw new Error(`seeding ${userEmail(n)} failed: HTTP ${res.status} ${brief(res.text)}`);
    const remaining = res.headers['ratelimit-remaining'];
    return Array.isArray(remaining) ? remaining[0] : remaining;
  };
  // The probe: one signup, whose RateLimit-Remaining says whether the others can follow.
  const remaining = Number((await signup(1)) ?? NaN);
  if (Number.isFinite(remaining) && remaining < users - 1)
    throw new Error(
      `seeding ${users} users through POST /v1/auth/signup needs ${users} signups, but the target allows only ${remaining + 1} more from this address now: ${ADVICE}`,
    );
  let next = 2;
  const worker = async (): Promise<void> => {
    while (next <= users) await signup(next++);
    return undefined;
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return result;
}

/** Creates accounts in the target's own process (its user service's bulk create): no HTTP, no signup limit. */
export type SeedLocally = (users: Array<{ email: string; password: string; name: string }>) => Promise<SeedResult>;

/** Seeds lt-user-1..N@loadtest.local through the server's own user service, in batches. */
export async function seedLocally(
  plan: RunPlan,
  log: (line: string) => void,
  create: SeedLocally,
): Promise<SeedResult> {
  const password = plan.password || DEFAULT_PASSWORD;
  const result: SeedResult = { created: 0, existing: 0 };
  for (let first = 1; first <= plan.users; first += BULK_BATCH) {
    const batch = [];
    for (let n = first; n < Math.min(first + BULK_BATCH, plan.users + 1); n++)
      batch.push({ email: userEmail(n), password, name: `Load test user ${n}` });
    const created = await create(batch);
    result.created += created.created;
    result.existing += created.existing;
  }
  log(`seeded ${plan.users} users in-process (${result.created} created, ${result.existing} already there)`);
  return result;
}
