import { randomBytes } from 'node:crypto';
import { createClient } from '@tessera/client';
import { logInUser } from './client-upstream.js';

export interface DelayFigures {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The logout request's own round trip (p50): part of every delay above, as it is timed from the send. */
  logoutP50Ms: number;
  /** A cached `validate` in the app's process (a hit from memory, the token hashed included), ns per call. */
  hitNs: number;
  /** Samples taken while the client did not trust its cache (they would count as instant): left out. */
  untrusted: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * Logs a session out on instance A and times, from the moment the logout is sent, until an app's @tessera/client
 * connected to instance B no longer answers that session from its memory.
 */
export async function measureRevocationDelay(
  a: string,
  b: string,
  serviceKey: string,
  samples: number,
  log: (line: string) => void,
): Promise<DelayFigures> {
  const client = createClient({ url: b, serviceKey, timeout: 2000 });
  try {
    const deadline = Date.now() + 15_000;
    while (!client.stats().trusted) {
      if (Date.now() > deadline) throw new Error('the client never trusted its stream');
      await new Promise((r) => setTimeout(r, 50));
    }
    const email = `bench-revoke-${randomBytes(5).toString('hex')}@example.test`;
    const password = 'bench-password-0123456789';
    const hitNs = await measureHit(client, await logInUser(a, `${email}.hit`, password, true));
    const delays: number[] = [];
    const logouts: number[] = [];
    let untrusted = 0;
    for (let i = 0; i < samples; i += 1) {
      const token = await logInUser(a, email, password, i === 0);
      if ((await client.validate(token)) === null) throw new Error('a fresh session did not validate through B');
      const sent = performance.now();
      const logout = fetch(`${a}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      let revokedAt: number | undefined;
      while (performance.now() - sent < 5000) {
        if (!client.stats().trusted) break;
        const answer = client.validate(token);
        if (answer instanceof Promise) {
          answer.catch(() => {}); // asked the server: only the moment matters here
          revokedAt = performance.now();
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
      await (await logout).text();
      logouts.push(performance.now() - sent);
      if (revokedAt === undefined) untrusted += 1;
      else delays.push(revokedAt - sent);
      if ((i + 1) % 25 === 0) log(`  revocation delay: ${i + 1}/${samples}`);
    }
    delays.sort((x, y) => x - y);
    logouts.sort((x, y) => x - y);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      samples: delays.length,
      p50Ms: round(percentile(delays, 50)),
      p99Ms: round(percentile(delays, 99)),
      maxMs: round(delays.at(-1) ?? NaN),
      logoutP50Ms: round(percentile(logouts, 50)),
      hitNs,
      untrusted,
    };
  } finally {
    await client.close();
  }
}

/** A validation whose answer is not needed; a miss's promise must not reject unhandled. */
const discard = (answer: unknown): void => {
  if (answer instanceof Promise) answer.catch(() => {});
};

/**
 * Times 200 000 cache hits in a row (after 20 000 to warm up) while the client trusts its stream; a run in which
 * trust lapsed (heartbeats late on a loaded machine) is taken again, up to 3 times, else NaN.
 */
async function measureHit(client: ReturnType<typeof createClient>, token: string): Promise<number> {
  await client.validate(token);
  const calls = 200_000;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    for (let i = 0; i < 20_000; i += 1) discard(client.validate(token));
    const hitsBefore = client.stats().hits;
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) discard(client.validate(token));
    const ns = Number(process.hrtime.bigint() - start) / calls;
    if (client.stats().hits - hitsBefore === calls) return Math.round(ns);
    await client.validate(token);
  }
  return NaN;
}
