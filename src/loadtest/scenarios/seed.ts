import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { DEFAULT_PASSWORD, userEmail, type RunPlan } from '../types.js';

export interface SeedResult {
  created: number;
  existing: number;
}

/**
 * Creates lt-user-1..N@loadtest.local through POST /v1/auth/signup before the run.
 * 409 email_taken means the user is already there; 429 waits for Retry-After and tries again.
 */
export async function seedUsers(plan: RunPlan, log: (line: string) => void): Promise<SeedResult> {
  const origin = new URL(plan.target).origin;
  const base = new URL(plan.target).pathname.replace(/\/$/, '');
  const pool = new Pool(origin, { connections: 4, pipelining: 1 });
  const result: SeedResult = { created: 0, existing: 0 };
  const deadline = Date.now() + 60_000;
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next <= plan.users) {
      const n = next++;
      for (;;) {
        const res = await pool.request({
          path: `${base}/v1/auth/signup`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email: userEmail(n),
            password: plan.password || DEFAULT_PASSWORD,
            name: `Load test user ${n}`,
          }),
        });
        const text = await res.body.text();
        if (res.statusCode === 201 || res.statusCode === 200) result.created++;
        else if (res.statusCode === 409) result.existing++;
        else if ((res.statusCode === 429 || res.statusCode === 503) && Date.now() < deadline) {
          const wait = Number(res.headers['retry-after'] ?? 1);
          await sleep(Math.min(Number.isFinite(wait) ? wait : 1, 5) * 1000);
          continue;
        } else throw new Error(`seeding ${userEmail(n)} failed: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
        break;
      }
    }
  };
  try {
    await Promise.all([worker(), worker(), worker(), worker()]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw code ? new Error(`cannot seed users: ${plan.target} is unreachable (${code})`) : error;
  } finally {
    await pool.close();
  }
  log(`seeded ${plan.users} users (${result.created} created, ${result.existing} already there)`);
  return result;
}
