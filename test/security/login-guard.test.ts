import { expect, it } from 'vitest';
import { normalizeEmail } from '../../src/auth/normalize.js';
import { TesseraError } from '../../src/errors/index.js';
import { SecurityEvents, type SecurityEvent } from '../../src/security/events.js';
import { LoginGuard, type LoginGuardSettings } from '../../src/security/login-guard.js';
import { describeWith } from '../helpers/services.js';
import { counterBackends } from './backends.js';
import { waitUntil } from '../helpers/poll.js';

const settings: LoginGuardSettings = {
  maxConsecutiveFailsPerEmailIp: 5,
  emailIpLockMs: 900_000,
  maxFailsPerIpPerDay: 30,
  ipBlockMs: 86_400_000,
  accountLockFails: 20,
  accountLockMinIps: 5,
  accountLockWindowMs: 3_600_000,
  accountLockBaseMs: 10_000,
  accountLockMaxMs: 30_000,
  accountLockResetMs: 43_200_000,
};

async function outcome(guard: LoginGuard, email: string, ip: string): Promise<string> {
  try {
    await guard.check({ email, ip });
    return 'allowed';
  } catch (e) {
    if (!(e instanceof TesseraError)) throw e;
    return `${e.status} ${e.code} ${e.extra.retryAfterSec}`;
  }
}

for (const { name, needs, backend } of counterBackends()) {
  describeWith(needs, `login guard (${name})`, () => {
    it('locks an (email, IP) pair after N consecutive failures, answering 429 locked_out with Retry-After', async () => {
      const guard = new LoginGuard(backend(), settings);
      const attempt = { email: 'victim@example.com', ip: '192.0.2.10' };
      for (let i = 0; i < 5; i++) {
        expect(await outcome(guard, attempt.email, attempt.ip)).toBe('allowed');
        await guard.recordFailure(attempt);
      }
      const refused = await guard.check(attempt).catch((e: TesseraError) => e);
      expect(refused).toBeInstanceOf(TesseraError);
      expect((refused as TesseraError).code).toBe('locked_out');
      expect((refused as TesseraError).status).toBe(429);
      expect((refused as TesseraError).extra.retryAfterSec).toBeGreaterThan(890);
      expect((refused as TesseraError).extra.retryAfterSec).toBeLessThanOrEqual(900);
      // Other pairs are untouched: the same email from another IP, another email from this IP.
      expect(await outcome(guard, attempt.email, '192.0.2.11')).toBe('allowed');
      expect(await outcome(guard, 'other@example.com', attempt.ip)).toBe('allowed');
    });

    it('answers identically for an email that exists and one that does not, keyed by the normalised email', async () => {
      const guard = new LoginGuard(backend(), settings);
      // The guard never learns whether an account exists: the route calls recordFailure for both.
      const existing: string[] = [];
      const unknown: string[] = [];
      for (let i = 0; i < 7; i++) {
        existing.push(await outcome(guard, normalizeEmail('  Alice@Example.com '), '192.0.2.20'));
        unknown.push(await outcome(guard, 'nobody-here@example.com', '192.0.2.21'));
        await guard.recordFailure({
          email: normalizeEmail(i % 2 ? 'alice@example.com' : ' ALICE@example.COM'),
          ip: '192.0.2.20',
        });
        await guard.recordFailure({ email: 'nobody-here@example.com', ip: '192.0.2.21' });
      }
      expect(existing).toEqual(unknown);
      expect(existing.slice(0, 5)).toEqual(Array(5).fill('allowed'));
      expect(existing[5]).toMatch(/^429 locked_out \d+$/);
    });

    it('a success resets the pair count', async () => {
      const guard = new LoginGuard(backend(), settings);
      const attempt = { email: 'bob@example.com', ip: '192.0.2.30' };
      for (let i = 0; i < 4; i++) await guard.recordFailure(attempt);
      await guard.recordSuccess(attempt);
      for (let i = 0; i < 4; i++) await guard.recordFailure(attempt);
      expect(await outcome(guard, attempt.email, attempt.ip)).toBe('allowed');
    });

    it('blocks an IP over the daily failure limit, for every email', async () => {
      const seen: SecurityEvent[] = [];
      const events = new SecurityEvents();
      events.onEvent((e) => seen.push(e));
      const guard = new LoginGuard(backend(), settings, events);
      for (let i = 0; i < 30; i++) await guard.recordFailure({ email: `user${i}@example.com`, ip: '192.0.2.40' });
      expect(await outcome(guard, 'fresh@example.com', '192.0.2.40')).toMatch(/^429 locked_out/);
      expect(await outcome(guard, 'fresh@example.com', '192.0.2.41')).toBe('allowed');
      expect(seen.filter((e) => e.type === 'ip_blocked')).toHaveLength(1);
    });

    it('locks an account attacked from many IPs, with a wait that doubles up to the cap', async () => {
      const seen: SecurityEvent[] = [];
      const events = new SecurityEvents();
      events.onEvent((e) => seen.push(e));
      const guard = new LoginGuard(backend(), settings, events);
      const email = 'target@example.com';
      const waits: number[] = [];
      for (let round = 0; round < 4; round++) {
        // 20 failures from 10 IPs (2 each: no pair lock), different for each round.
        for (let i = 0; i < 20; i++) await guard.recordFailure({ email, ip: `198.51.100.${round * 10 + (i % 10)}` });
        const refused = await guard.check({ email, ip: '203.0.113.99' }).catch((e: TesseraError) => e);
        expect((refused as TesseraError).code).toBe('locked_out');
        waits.push((refused as TesseraError).extra.retryAfterSec!);
      }
      expect(waits).toEqual([10, 20, 30, 30]);
      expect(seen.filter((e) => e.type === 'account_locked').map((e) => e.details?.lockNumber)).toEqual([1, 2, 3, 4]);
      // 20 failures from fewer than ACCOUNT_LOCK_MIN_IPS addresses lock the pairs, not the account.
      const solo = new LoginGuard(backend(), settings);
      for (let i = 0; i < 20; i++)
        await solo.recordFailure({ email: 'solo@example.com', ip: `192.0.2.${50 + (i % 4)}` });
      expect(await outcome(solo, 'solo@example.com', '192.0.2.60')).toBe('allowed');
    });

    it('lets a correct password from a clean IP in once the account lock expires', async () => {
      const guard = new LoginGuard(backend(), {
        ...settings,
        accountLockBaseMs: 1000,
        accountLockFails: 5,
        accountLockMinIps: 5,
      });
      for (let i = 0; i < 5; i++)
        await guard.recordFailure({ email: 'carol@example.com', ip: `198.51.100.${100 + i}` });
      expect(await outcome(guard, 'carol@example.com', '203.0.113.5')).toMatch(/^429 locked_out 1$/);
      await waitUntil(async () => (await outcome(guard, 'carol@example.com', '203.0.113.5')) === 'allowed', 4000);
      await guard.recordSuccess({ email: 'carol@example.com', ip: '203.0.113.5' });
    });
  });
}
