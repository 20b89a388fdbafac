import { afterEach, describe, expect, it, vi } from 'vitest';
import { TesseraError } from '../../src/errors/index.js';
import { generateToken } from '../../src/sessions/token.js';
import { newTrace } from '../../src/sessions/types.js';
import { CLIENT, CoreFactory, PASSWORD, type TestInstance } from './factory.js';

let factory: CoreFactory;
afterEach(async () => {
  vi.useRealTimers();
  await factory?.close();
});

async function signedIn(instance: TestInstance, email = `u-${Math.random().toString(36).slice(2)}@example.test`) {
  await instance.users.signup({ email, password: PASSWORD }, CLIENT);
  return instance.users.login({ email, password: PASSWORD }, CLIENT);
}

describe('session core (no server)', () => {
  it('loads a cold token once for any number of concurrent validations (single flight)', async () => {
    factory = new CoreFactory({ l2: false });
    const a = await factory.instance();
    const { token } = await signedIn(a);
    await a.cache.flushAll();
    a.dbOps.length = 0;
    const results = await Promise.all(Array.from({ length: 20 }, async () => a.sessions.validate(token)));
    expect(results.every((r) => r?.session.userId === results[0]?.session.userId)).toBe(true);
    expect(a.dbOps.filter((op) => op === 'session_by_token')).toHaveLength(1);
    // The session and its user come in that one query (the permissions of its roles are memoised).
    expect(a.dbOps.filter((op) => op === 'user_by_id')).toEqual([]);
  });

  it('remembers an unknown token: a second validation reaches no database', async () => {
    factory = new CoreFactory({ l2: false });
    const a = await factory.instance();
    const token = generateToken();
    expect(await a.sessions.validate(token)).toBeUndefined();
    expect(a.dbOps).toEqual(['session_by_token', 'retired_token']);
    const trace = newTrace();
    expect(await a.sessions.validate(token, trace)).toBeUndefined();
    expect(a.dbOps).toHaveLength(2);
    expect(trace.tier).toBe('l1');
  });

  it('writes activity only once less than half the idle timeout remains (touch schedule)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_800_000_000_000);
    factory = new CoreFactory({ env: { SESSION_IDLE_TTL: '30m' } });
    const a = await factory.instance();
    const { token, entry } = await signedIn(a);
    const opened = entry.session.idleExpiresAt;
    vi.setSystemTime(Date.now() + 14 * 60_000); // 16 min left: more than half
    await a.sessions.validate(token);
    expect(a.dbOps).not.toContain('session_touch');
    vi.setSystemTime(Date.now() + 2 * 60_000); // 14 min left: less than half
    const at = Date.now();
    const touched = await a.sessions.validate(token);
    await vi.waitFor(() => expect(a.dbOps.filter((op) => op === 'session_touch')).toHaveLength(1)); // written in the background
    expect(touched!.session.idleExpiresAt).toBe(at + 30 * 60_000);
    await a.sessions.validate(token); // the cached entry already carries the new expiry: no second write
    expect((await factory.store.sessions.findById(entry.session.id))!.idleExpiresAt).toBeGreaterThan(opened);
    expect(a.dbOps.filter((op) => op === 'session_touch')).toHaveLength(1);
  });

  it('keeps a rotated-out token alive for the grace period, then revokes the whole session when it comes back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    factory = new CoreFactory({ env: { SESSION_ROTATION_GRACE: '10s' } });
    const a = await factory.instance();
    const { token: old, entry } = await signedIn(a);
    const { token: fresh } = await a.sessions.refresh(entry, CLIENT);
    expect((await a.sessions.validate(old))?.graceUntil).toBeGreaterThan(Date.now());
    expect(await a.sessions.validate(fresh)).toBeDefined();
    vi.setSystemTime(Date.now() + 11_000);
    expect(await a.sessions.validate(old)).toBeUndefined();
    expect((await factory.store.sessions.findById(entry.session.id))?.revokeReason).toBe('token_reuse_detected');
    expect(await a.sessions.validate(fresh)).toBeUndefined();
    expect(
      (await factory.store.audit.query({ type: 'token_reuse_detected', limit: 5 })).map((e) => e.sessionId),
    ).toEqual([entry.session.id]);
  });

  it('stops using its caches 0.8 s after the last moment any channel vouched for them (bus lost, no change log)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    factory = new CoreFactory({ shared: false });
    const a = await factory.instance();
    const { token } = await signedIn(a);
    const warm = newTrace();
    await a.sessions.validate(token, warm);
    expect(warm.tier).toBe('l1');
    factory.hub.cut(); // everything published before now has arrived: the caches stay trusted for a while
    vi.setSystemTime(Date.now() + 700);
    const stillTrusted = newTrace();
    await a.sessions.validate(token, stillTrusted);
    expect(stillTrusted.tier).toBe('l1');
    vi.setSystemTime(Date.now() + 200);
    const cold = newTrace();
    expect(await a.sessions.validate(token, cold)).toBeDefined();
    expect(cold.tier).toBe('db'); // neither L1 nor Redis: nothing vouches for what they hold
    factory.hub.restore();
    const back = newTrace();
    await a.sessions.validate(token, back);
    expect(back.tier).not.toBe('db');
  });

  it('uses its caches while the change log vouches for them, even with the bus lost', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const { token } = await signedIn(a);
    await a.sessions.validate(token);
    factory.hub.cut();
    await new Promise((r) => setTimeout(r, 1000)); // the bus alone would no longer vouch
    const trace = newTrace();
    await a.sessions.validate(token, trace);
    expect(trace.tier).toBe('l1');
    factory.hub.restore();
  });

  it('asks the login guard before any user lookup or password hash, for known and unknown emails alike', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    await signedIn(a, 'known@example.test');
    a.loginSteps.length = 0;
    await expect(a.users.login({ email: 'nobody@example.test', password: 'wrong password!' }, CLIENT)).rejects.toThrow(
      TesseraError,
    );
    expect(a.loginSteps).toEqual(['check:nobody@example.test', 'lookup', 'verify', 'failure']);

    const refusing = new CoreFactory({
      guard: {
        check: async () => {
          throw new TesseraError('locked_out');
        },
        recordFailure: async () => {},
        recordSuccess: async () => {},
      },
    });
    try {
      const b = await refusing.instance();
      await expect(b.users.login({ email: 'known@example.test', password: PASSWORD }, CLIENT)).rejects.toMatchObject({
        code: 'locked_out',
      });
      expect(b.loginSteps).toEqual([]);
    } finally {
      await refusing.close();
    }
  });
});
