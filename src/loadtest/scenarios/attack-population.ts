import { performance } from 'node:perf_hooks';
import type { Vu } from '../engine/vu.js';
import type { MetricsSet } from '../metrics/metrics-set.js';
import { percentileMs } from '../metrics/histogram.js';
import { DEFAULT_PASSWORD, userEmail, type AttackPlan } from '../types.js';
import { api, bearer } from './paths.js';

/**
 * What bruteforce and bot share: VUs 0..clients-1 attack, each from one stable address (X-Forwarded-For, so the
 * target must trust it: TRUST_PROXY); the rest are legitimate users, each logging in as its own account from its
 * own clean address. The attack's success is the share of its requests the target refused (429 or 403); the
 * legitimate users' is that they keep working.
 */

/** A legitimate user logs in once per this interval (12 a minute: under a default login limit of 20 per address). */
const LEGIT_INTERVAL_MS = 5000;
/** Session checks per legitimate login, as an application backend makes on each of its own requests. */
const LEGIT_CHECKS = 5;
export const ATTACK_TIME_TO_BLOCK = 'attack_time_to_block';

export function attackPlan(vu: Vu): AttackPlan {
  const plan = vu.shared.plan.attack;
  if (!plan) throw new Error(`scenario needs an attack plan (--attackers / --bots)`);
  return plan;
}

/** Attacker or bot `i`: 10.<nonce>.x.y, one address each. */
export function attackerAddress(i: number, nonce: number): string {
  const n = i + 1;
  return `10.${nonce}.${(n >> 8) & 255}.${n & 255}`;
}

/** Legitimate user `k`: 100.64-127.x.y (shared address space), one address each. */
export function legitAddress(k: number, nonce: number): string {
  const n = k + 1;
  return `100.${64 + (nonce & 63)}.${(n >> 8) & 255}.${n & 255}`;
}

/** The seeded account attack target `j` (0-based) is: after the legitimate users' accounts. */
export function targetEmail(plan: AttackPlan, j: number): string {
  return userEmail(plan.legit + 1 + (j % Math.max(1, plan.targets)));
}

/**
 * Waits for this VU's next slot so it sends `1000 / intervalMs` iterations a second (the first slot at a random
 * point of the first interval or second, so clients do not all fire together). A client that fell behind starts again from
 * now rather than bursting. False when the run ended meanwhile.
 */
export async function paced(vu: Vu, intervalMs: number): Promise<boolean> {
  const now = performance.now();
  let next = (vu.vars.nextAt as number | undefined) ?? now + Math.random() * Math.min(intervalMs, 1000);
  if (next < now - intervalMs) next = now;
  vu.vars.nextAt = next + intervalMs;
  // In slices, so the end of the run is not held up by a client waiting for its next slot.
  for (let wait = next - now; wait > 0 && !vu.stopping; wait = next - performance.now())
    await vu.sleep(Math.min(wait, 200));
  return !vu.stopping;
}

/** Counts one attack request by its answer: refused (429/403) is blocked; the first refusal times the block. */
export function recordAttack(vu: Vu, status: number): void {
  vu.count('attack_requests');
  if (status !== 429 && status !== 403) return;
  vu.count('attack_blocked');
  if (vu.vars.blocked !== true) {
    vu.vars.blocked = true;
    vu.count('attackers_blocked');
    vu.trend(ATTACK_TIME_TO_BLOCK, vu.elapsedMs);
  }
  if (status === 403 && vu.vars.banned !== true) {
    vu.vars.banned = true;
    vu.count('bans_seen');
  }
}

/** One legitimate user's visit: log in, check the session a few times, log out. */
export async function legitIteration(vu: Vu, plan: AttackPlan): Promise<void> {
  if (!(await paced(vu, LEGIT_INTERVAL_MS))) return;
  const k = vu.id - plan.clients;
  const headers = { 'x-forwarded-for': legitAddress(k, plan.nonce), 'user-agent': `tessera-loadtest legit/${k}` };
  const counted = (status: number, ok: boolean): void => {
    vu.count('legit_requests');
    if (!ok) vu.count('legit_failed');
    vu.check(`legitimate ${status === 0 ? 'request' : 'answer'} ok`, ok);
  };
  const login = await vu.request('legit_login', 'POST', api(vu, '/v1/auth/login'), {
    json: { email: userEmail(k + 1), password: vu.shared.plan.password || DEFAULT_PASSWORD },
    headers,
  });
  counted(login.status, login.status === 200);
  const token = login.status === 200 ? login.json<{ token?: string }>()?.token : undefined;
  if (!token) return;
  const auth = { ...headers, ...bearer(token) };
  for (let i = 0; i < LEGIT_CHECKS; i++) {
    const res = await vu.request('legit_session', 'GET', api(vu, '/v1/auth/session'), { headers: auth });
    counted(res.status, res.status === 200);
  }
  const out = await vu.request('legit_logout', 'POST', api(vu, '/v1/auth/logout'), { headers: auth });
  counted(out.status, out.status === 204 || out.status === 200);
  vu.cookies.clear();
}

const share = (part: number, whole: number): number => (whole ? Math.round((part / whole) * 10000) / 10000 : 0);

export function attackResults(totals: MetricsSet): Record<string, number> {
  const c = totals.counters;
  const toBlock = totals.trends.get(ATTACK_TIME_TO_BLOCK);
  const blockedAny = toBlock !== undefined && toBlock.totalCount > 0;
  return {
    attack_requests: c.attack_requests ?? 0,
    attack_blocked: share(c.attack_blocked ?? 0, c.attack_requests ?? 0),
    attack_succeeded: c.attack_succeeded ?? 0,
    attackers_blocked: c.attackers_blocked ?? 0,
    bans_seen: c.bans_seen ?? 0,
    time_to_first_block_ms: blockedAny ? Math.round(toBlock.minNonZeroValue / 1000) : -1,
    time_to_block_p50_ms: blockedAny ? Math.round(percentileMs(toBlock, 50)) : -1,
    legit_requests: c.legit_requests ?? 0,
    legit_failed: share(c.legit_failed ?? 0, c.legit_requests ?? 0),
  };
}
