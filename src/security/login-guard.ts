import { createHash } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { TesseraError } from '../errors/index.js';
import type { LoginAttempt, LoginProtection } from '../auth/login-protection.js';
import { DEFAULT_TENANT } from '../auth/normalize.js';
import type { CounterBackend } from './backend.js';
import { DistinctCounter } from './distinct-counter.js';
import type { SecurityEvents } from './events.js';
import { createLimiter, peek } from './limiter.js';

export interface LoginGuardSettings {
  /** Consecutive failures per (email, IP) that lock the pair. */
  maxConsecutiveFailsPerEmailIp: number;
  emailIpLockMs: number;
  /** Failures per IP per day that block the IP from logging in. */
  maxFailsPerIpPerDay: number;
  ipBlockMs: number;
  /** Failures on one email within `accountLockWindowMs`, from at least `accountLockMinIps` IPs, lock the account. */
  accountLockFails: number;
  accountLockMinIps: number;
  accountLockWindowMs: number;
  /** First account lock; each further lock within `accountLockResetMs` doubles it, up to `accountLockMaxMs`. */
  accountLockBaseMs: number;
  accountLockMaxMs: number;
  accountLockResetMs: number;
  /** Off (PROTECTION_FEATURES without rate-limits): no counter, lock or block; failures still reach the observer. */
  bruteForce?: boolean;
}

/** Called by the guard on every failure and lockout, so reputation and anomaly rules can react. */
export interface LoginFailureObserver {
  onLoginFailure(attempt: { emailKey: string; email: string; ip: string }): void | Promise<void>;
  onLockout?(
    kind: 'lockout' | 'ip_blocked' | 'account_locked',
    attempt: { email: string; ip: string },
  ): void | Promise<void>;
}

/** Keys carry a hash of the (tenant, email), never the email itself, and stay short whatever was typed. */
export const emailKeyOf = (email: string, tenant?: string): string =>
  createHash('sha256')
    .update(tenant && tenant !== DEFAULT_TENANT ? `${tenant}\n${email}` : email)
    .digest('base64url')
    .slice(0, 22);

const sec = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/**
 * The brute-force guard of the login route (rate-limiter-flexible's login-protection recipe, plus Keycloak-style
 * escalating account locks). It never looks at whether the account exists: the same counters, the same calls and
 * the same answers for every email, so neither status, body, timing nor attempt count reveals an account.
 * Emails arrive normalised (the login normalises once, with auth's `normalizeEmail`), so every spelling of one
 * address shares its counters.
 *
 * The login route calls, in this order:
 *   await guard.check({email, ip})            // before any user lookup or password hash; throws 429 locked_out
 *   … verify (always hash, even for unknown emails) …
 *   await guard.recordFailure({email, ip})    // on unknown email AND wrong password alike
 *   await guard.recordSuccess({email, ip})    // on success
 */
export class LoginGuard implements LoginProtection {
  private readonly pair: RateLimiterAbstract;
  private readonly ipDay: RateLimiterAbstract;
  private readonly accountFails: RateLimiterAbstract;
  private readonly accountLock: RateLimiterAbstract;
  private readonly accountLockCount: RateLimiterAbstract;
  private readonly accountIps: DistinctCounter;

  constructor(
    backend: CounterBackend,
    private readonly settings: LoginGuardSettings,
    private readonly events?: SecurityEvents,
    private readonly observer?: LoginFailureObserver,
  ) {
    this.pair = createLimiter(backend, {
      name: 'bf:pair',
      points: settings.maxConsecutiveFailsPerEmailIp,
      durationSec: sec(Math.max(settings.emailIpLockMs, 86_400_000)),
    });
    this.ipDay = createLimiter(backend, {
      name: 'bf:ipday',
      points: settings.maxFailsPerIpPerDay,
      durationSec: 86_400,
    });
    this.accountFails = createLimiter(backend, {
      name: 'bf:acct',
      points: settings.accountLockFails,
      durationSec: sec(settings.accountLockWindowMs),
    });
    this.accountLock = createLimiter(backend, {
      name: 'bf:acctlock',
      points: 0,
      durationSec: sec(settings.accountLockMaxMs),
    });
    this.accountLockCount = createLimiter(backend, {
      name: 'bf:acctlocks',
      points: 1_000_000,
      durationSec: sec(settings.accountLockResetMs),
    });
    this.accountIps = new DistinctCounter(backend, 'bf:acctips', settings.accountLockWindowMs);
  }

  /** Resolves when the attempt may proceed; throws TesseraError('locked_out') with retryAfterSec otherwise. */
  async check(attempt: LoginAttempt): Promise<void> {
    if (this.settings.bruteForce === false) return;
    const emailKey = emailKeyOf(attempt.email, attempt.tenant);
    const [pair, ipDay, lock] = await Promise.all([
      peek(this.pair, `${emailKey}:${attempt.ip}`),
      peek(this.ipDay, attempt.ip),
      peek(this.accountLock, emailKey),
    ]);
    let waitMs = 0;
    if (pair && pair.consumedPoints > this.settings.maxConsecutiveFailsPerEmailIp)
      waitMs = Math.max(waitMs, pair.msBeforeNext);
    if (ipDay && ipDay.consumedPoints > this.settings.maxFailsPerIpPerDay)
      waitMs = Math.max(waitMs, ipDay.msBeforeNext);
    if (lock && lock.consumedPoints > 0) waitMs = Math.max(waitMs, lock.msBeforeNext);
    this.events?.decision('login_guard', waitMs > 0 ? 'refused' : 'allowed');
    if (waitMs > 0) throw lockedOut(waitMs);
  }

  /** Counts a failed attempt (unknown email or wrong password: call it for both). */
  async recordFailure(attempt: LoginAttempt): Promise<void> {
    const { email, ip } = attempt;
    const emailKey = emailKeyOf(email, attempt.tenant);
    // Without the brute-force counters (PROTECTION_FEATURES without rate-limits), reputation and anomalies still hear of it.
    if (this.settings.bruteForce === false) return this.observer?.onLoginFailure({ emailKey, email, ip });
    const [pair, ipDay, account, distinctIps] = await Promise.all([
      this.pair.penalty(`${emailKey}:${ip}`).catch(() => undefined),
      this.ipDay.penalty(ip).catch(() => undefined),
      this.accountFails.penalty(emailKey).catch(() => undefined),
      this.accountIps.add(emailKey, ip),
    ]);
    const work: Array<Promise<unknown>> = [Promise.resolve(this.observer?.onLoginFailure({ emailKey, email, ip }))];
    // `>=`, not `===`: a count split by a Redis hiccup (insurance counted some) must still end in a lock.
    if (pair && pair.consumedPoints >= this.settings.maxConsecutiveFailsPerEmailIp) {
      work.push(this.pair.block(`${emailKey}:${ip}`, sec(this.settings.emailIpLockMs)).catch(() => {}));
      this.raise('lockout', email, ip, {
        scope: 'email_ip',
        failures: pair.consumedPoints,
        lockSec: sec(this.settings.emailIpLockMs),
      });
    }
    if (ipDay && ipDay.consumedPoints >= this.settings.maxFailsPerIpPerDay) {
      work.push(this.ipDay.block(ip, sec(this.settings.ipBlockMs)).catch(() => {}));
      this.raise('ip_blocked', undefined, ip, {
        failures: ipDay.consumedPoints,
        blockSec: sec(this.settings.ipBlockMs),
      });
    }
    if (
      account &&
      account.consumedPoints >= this.settings.accountLockFails &&
      distinctIps >= this.settings.accountLockMinIps
    ) {
      work.push(this.lockAccount(email, emailKey, ip, account.consumedPoints, distinctIps));
    }
    await Promise.all(work);
  }

  /** A correct password: the (email, IP) pair starts over. The per-IP and per-account counts are left alone. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    if (this.settings.bruteForce === false) return;
    await this.pair.delete(`${emailKeyOf(attempt.email, attempt.tenant)}:${attempt.ip}`).catch(() => {});
  }

  private async lockAccount(
    email: string,
    emailKey: string,
    ip: string,
    failures: number,
    distinctIps: number,
  ): Promise<void> {
    const locks = await this.accountLockCount.penalty(emailKey).catch(() => undefined);
    const n = locks?.consumedPoints ?? 1;
    const waitMs = Math.min(this.settings.accountLockMaxMs, this.settings.accountLockBaseMs * 2 ** Math.min(30, n - 1));
    await Promise.all([
      this.accountLock.block(emailKey, sec(waitMs)).catch(() => {}),
      this.accountFails.delete(emailKey).catch(() => {}),
      this.accountIps.reset(emailKey),
    ]);
    this.raise('account_locked', email, ip, { failures, distinctIps, lockNumber: n, lockSec: sec(waitMs) });
  }

  private raise(
    type: 'lockout' | 'ip_blocked' | 'account_locked',
    email: string | undefined,
    ip: string,
    details: Record<string, unknown>,
  ): void {
    this.events?.record({ type, ip, email, details, action: 'refuse' });
    void this.observer?.onLockout?.(type, { email: email ?? '', ip });
  }
}

function lockedOut(waitMs: number): TesseraError {
  const retryAfterSec = sec(waitMs);
  return new TesseraError('locked_out', undefined, {
    retryAfterSec,
    headers: { 'retry-after': String(retryAfterSec) },
  });
}
