import { PASSWORD } from '../../helpers/tessera.js';
import type { Instance } from '../../coherence/support/instances.js';
import { sleep } from '../../coherence/support/trials.js';

/** Protection settings of the HA tests' instances (with TRUST_PROXY=true the probes pick their IP). */
export const PROTECTION_ENV = {
  TRUST_PROXY: 'true',
  RATE_LIMIT_LOGIN_PER_MIN: '5',
  LOGIN_MAX_CONSECUTIVE_FAILS_PER_EMAIL_IP: '3',
  // One account is attacked again and again from fresh IPs: keep the account lock out of the (email, IP) check.
  ACCOUNT_LOCK_FAILS: '1000000',
};
export const LOGIN_LIMIT = 5;
const BURST = 4 * LOGIN_LIMIT;
const FAILS = 3;

export interface ProtectionTally {
  /**
   * Login bursts from one fresh IP, alternating instances: when they started and ended and how many of BURST
   * attempts got a 200. With Redis healthy exactly the limit passes. Across a failover each instance's insurance
   * limiter counts alone and Redis resumes its own count after, so at most (instances + 1) × limit may pass.
   */
  bursts: Array<{ from: number; to: number; allowed: number }>;
  /** Bursts that let more than (instances + 1) × the limit through: the limit was not enforced at all. */
  unenforcedBursts: number;
  /** (email, IP) pairs failed 3 times (the limit), alternating instances, then tried with the right password. */
  bruteForceChecks: number;
  /**
   * When the right password got a 200 after exactly the limit of failures: while Redis fails over, each instance
   * counts in its own insurance limiter, so a split count can let one through. Reported with when the check started and when the login got through.
   */
  strictLeaks: Array<{ from: number; at: number }>;
  /** (email, IP) pairs failed the limit on every instance (3 × 2), then tried with the right password on each. */
  degradedChecks: number;
  /**
   * …when one of them logged in: the lock was forgotten, e.g. written to a master just before a failover and not
   * replicated (Redis replication is asynchronous; Sentinel does not pause writers). Reported with its time.
   */
  degradedLeaks: Array<{ from: number; at: number }>;
  /** Answers other than 200/401/429 (e.g. 503), by status. */
  otherStatuses: Record<string, number>;
}

let ipCounter = 0;
/** A fresh client IP from the benchmarking range (198.18.0.0/15), never allow-listed, never seen before. */
const freshIp = (): string => {
  ipCounter += 1;
  return `198.18.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};

/**
 * Runs protection probes until `stop()`, in turn: a login burst from a fresh IP (the per-IP login limit
 * must refuse the tail), a brute-force check (three wrong passwords lock the (email, IP) pair: the right
 * password right after must not log in) and the same with three wrong passwords on each instance (which must
 * lock even when each instance counts alone). Attempts alternate between the instances, so the counters must be
 * shared through Redis (each instance's in-process insurance limiter alone would let twice the limit through).
 */
export function startProtectionProbe(
  instances: Instance[],
  accounts: { limited: string; victim: string },
): { tally: ProtectionTally; stop(): Promise<void> } {
  const tally: ProtectionTally = {
    bursts: [],
    unenforcedBursts: 0,
    bruteForceChecks: 0,
    strictLeaks: [],
    degradedChecks: 0,
    degradedLeaks: [],
    otherStatuses: {},
  };
  const login = async (i: number, email: string, password: string, ip: string): Promise<number> => {
    const instance = instances[i % instances.length];
    const res = await instance.api(
      'POST',
      '/v1/auth/login',
      { email, password },
      { headers: { 'x-forwarded-for': ip } },
    );
    if (![200, 401, 429].includes(res.status))
      tally.otherStatuses[res.status] = (tally.otherStatuses[res.status] ?? 0) + 1;
    return res.status;
  };
  const burst = async () => {
    const ip = freshIp();
    const from = Date.now();
    let allowed = 0;
    for (let i = 0; i < BURST; i++) if ((await login(i, accounts.limited, PASSWORD, ip)) === 200) allowed += 1;
    tally.bursts.push({ from, to: Date.now(), allowed });
    if (allowed > (instances.length + 1) * LOGIN_LIMIT) tally.unenforcedBursts += 1;
  };
  const bruteForce = async () => {
    const ip = freshIp();
    const from = Date.now();
    for (let i = 0; i < FAILS; i++) await login(i, accounts.victim, `wrong password ${i}`, ip);
    tally.bruteForceChecks += 1;
    const at = Date.now();
    if ((await login(FAILS, accounts.victim, PASSWORD, ip)) === 200) tally.strictLeaks.push({ from, at });
  };
  const degradedBruteForce = async () => {
    const ip = freshIp();
    const from = Date.now();
    const attempts = FAILS * instances.length;
    for (let i = 0; i < attempts; i++) await login(i, accounts.victim, `wrong password ${i}`, ip);
    tally.degradedChecks += 1;
    for (let i = 0; i < instances.length; i++) {
      const at = Date.now();
      if ((await login(i, accounts.victim, PASSWORD, ip)) === 200) tally.degradedLeaks.push({ from, at });
    }
  };
  let running = true;
  const loop = (async () => {
    for (let round = 0; running; round += 1) {
      await [burst, bruteForce, degradedBruteForce][round % 3]().catch(() => {});
      await sleep(100);
    }
  })();
  return {
    tally,
    async stop() {
      running = false;
      await loop;
    },
  };
}
