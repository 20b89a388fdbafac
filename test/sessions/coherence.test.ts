import { afterEach, describe, expect, it } from 'vitest';
import { newTrace } from '../../src/sessions/types.js';
import { CLIENT, CoreFactory, PASSWORD, type TestInstance } from './factory.js';

let factory: CoreFactory;
afterEach(async () => {
  factory.hub.restore();
  await factory.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function signedIn(instance: TestInstance) {
  const email = `u-${Math.random().toString(36).slice(2)}@example.test`;
  await instance.users.signup({ email, password: PASSWORD }, CLIENT);
  return instance.users.login({ email, password: PASSWORD }, CLIENT);
}

describe('cache coherence: a change the database acknowledged is never hidden by a cache', () => {
  it('a logout whose bus message and Redis delete are both lost still reaches the other instance (change log)', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const b = await factory.instance();
    const bL2Only = await factory.instance({ SESSION_L1_MAX: '0' });
    const { token, entry } = await signedIn(a);
    await sleep(5); // the L2 write-through is asynchronous
    expect(await b.sessions.validate(token)).toBeDefined();
    const fromL2 = newTrace();
    expect(await bL2Only.sessions.validate(token, fromL2)).toBeDefined();
    expect(fromL2.tier).toBe('l2');

    factory.hub.lose();
    factory.l2.losingDeletes = true;
    expect(await a.sessions.revoke(entry.session.id, 'logout')).toBe(true);
    expect(await a.sessions.validate(token)).toBeUndefined(); // at once where the logout ran
    expect(factory.l2.raw(`sess:${entry.tokenHash}`)).toBeDefined(); // Redis still holds the revoked session

    await sleep(100); // a few change-log reads (SESSION_CHANGE_POLL=20ms)
    expect(await b.sessions.validate(token)).toBeUndefined();
    const trace = newTrace();
    expect(await bL2Only.sessions.validate(token, trace)).toBeUndefined();
    expect(trace.tier).toBe('db'); // the stale Redis entry was refused, not served
  });

  it('a validation that read the database before a revocation cannot fill the caches after it (late fill)', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const slowB = await factory.instance({ TESSERA_FAULT_FILL_DELAY: '150ms' });
    const { token, entry } = await signedIn(a);
    await factory.l2.flush();
    factory.hub.lose(); // not even the bus helps: the fence must come from the change log
    const racing = slowB.sessions.validate(token); // reads the database now, fills 150 ms later
    await sleep(30);
    await a.sessions.revoke(entry.session.id, 'logout');
    await racing;
    expect(factory.l2.raw(`sess:${entry.tokenHash}`)).toBeUndefined();
    expect(await slowB.sessions.validate(token)).toBeUndefined();
    expect(await a.sessions.validate(token)).toBeUndefined();
  });

  it('requests that join a load which read before a change get the changed session, not the old one', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const slowB = await factory.instance({ TESSERA_FAULT_FILL_DELAY: '150ms' });
    const { token, entry } = await signedIn(a);
    await factory.l2.flush();
    const first = slowB.sessions.validate(token);
    await sleep(30);
    await a.sessions.updateData(entry, { step: 2 }, 1);
    await sleep(60);
    const joined = slowB.sessions.validate(token); // joins the load that read version 1
    expect((await joined)?.session.version).toBe(2);
    expect((await first)?.session.version).toBe(2); // sent before the write, yet the load is re-read once it is known stale
  });

  it('data written on one instance is never served older on another (compare-and-set stays live)', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const b = await factory.instance({ SESSION_L1_MAX: '0' });
    const { token, entry } = await signedIn(a);
    await sleep(5);
    factory.hub.lose();
    factory.l2.losingDeletes = true;
    let current = entry;
    for (let version = 1; version <= 5; version += 1) {
      const written = await a.sessions.updateData(current, { n: version }, version);
      expect(written.version).toBe(version + 1);
      await sleep(60);
      const seen = await b.sessions.validate(token);
      expect(seen?.session.version).toBe(version + 1);
      current = seen!;
    }
  });

  it('a role change reaches cached sessions everywhere (the user view is part of the revision)', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const b = await factory.instance();
    const { token, entry } = await signedIn(a);
    expect((await b.sessions.validate(token))?.user.roles).toEqual(['user']);
    factory.hub.lose();
    await a.users.setRoles(entry.session.userId, ['user', 'support'], { userId: entry.session.userId, ip: CLIENT.ip });
    await sleep(100);
    expect((await b.sessions.validate(token))?.user.roles).toEqual(['user', 'support']);
  });

  it('a bus that comes back after a loss does not vouch for what was published while it was lost', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const b = await factory.instance();
    const { token, entry } = await signedIn(a);
    await sleep(5);
    expect(await b.sessions.validate(token)).toBeDefined();
    await b.feed!.stop(); // B cannot read the change log (its database path is cut)
    factory.hub.cut();
    factory.l2.losingDeletes = true;
    await a.sessions.revoke(entry.session.id, 'logout'); // the bus message is lost, Redis keeps the entry
    await sleep(1000);
    factory.hub.restore(); // heartbeats echo again, but nothing replays the lost message
    const trace = newTrace();
    expect(await b.sessions.validate(token, trace)).toBeUndefined();
    expect(trace.tier).toBe('db');
  });

  it('trusts no Redis entry before its first read of the change log', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const { token } = await signedIn(a);
    await sleep(5);
    const fresh = await factory.instance({ SESSION_L1_MAX: '0' }, { firstRead: false });
    expect(fresh.feed!.ready).toBe(false);
    const before = newTrace();
    expect(await fresh.sessions.validate(token, before)).toBeDefined();
    expect(before.tier).toBe('db');
    await fresh.feed!.poll();
    const after = newTrace();
    expect(await fresh.sessions.validate(token, after)).toBeDefined();
    expect(after.tier).toBe('l2');
  });
});
