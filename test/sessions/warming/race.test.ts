import { afterEach, describe, expect, it } from 'vitest';
import { newTrace } from '../../../src/sessions/types.js';
import type { Store } from '../../../src/store/types.js';
import { CoreFactory, type TestInstance } from '../factory.js';
import { seedSessions, warmingFor, type Seeded } from './support.js';

let factory: CoreFactory;
afterEach(async () => {
  factory.hub.restore();
  factory.l2.losingDeletes = false;
  await factory.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The coherence guarantee: a revocation acknowledged this long ago is seen everywhere. */
const GUARANTEE_MS = 1000;

/** Where each instance answers a token from, and whether it accepts it. */
async function answers(instances: TestInstance[], token: string) {
  return Promise.all(
    instances.map(async (instance) => {
      const trace = newTrace();
      const entry = await instance.sessions.validate(token, trace);
      return { valid: entry !== undefined, tier: trace.tier };
    }),
  );
}

/** A store whose user lookups (the fill's step after reading the sessions) first run `between` once. */
function pausingAfterSessionRead(store: Store, between: () => Promise<void>): Store {
  let ran: Promise<void> | undefined;
  return {
    ...store,
    users: {
      ...store.users,
      findByIds: async (ids) => {
        ran ??= between();
        await ran;
        return store.users.findByIds(ids);
      },
    },
  };
}

describe('warming races logouts: a revocation made during warming never comes back', () => {
  it('a logout between the warming read and its fill: refused at once here, dropped within a second elsewhere', async () => {
    factory = new CoreFactory();
    const warmer = await factory.instance();
    const other = await factory.instance();
    const l2Only = await factory.instance({ SESSION_L1_MAX: '0' });
    const seeded = await seedSessions(factory.store, 6);
    const [here, elsewhere, elsewhereUnheard] = [seeded.slice(0, 2), seeded.slice(2, 4), seeded.slice(4, 6)];
    const store = pausingAfterSessionRead(factory.store, async () => {
      for (const { session } of here) await warmer.sessions.revoke(session.id, 'logout'); // fenced before the fill
      for (const { session } of elsewhere) await other.sessions.revoke(session.id, 'logout'); // the bus tells the warmer
      factory.hub.lose(); // these two reach the warmer through the change log only, after the fill
      factory.l2.losingDeletes = true; // and their Redis deletes are lost
      for (const { session } of elsewhereUnheard) await other.sessions.revoke(session.id, 'logout');
    });
    const report = await warmingFor(warmer, store).warmAll('start');
    expect(report.reason).toBe('start');
    expect(report.skipped).toBeGreaterThanOrEqual(4); // here and elsewhere were refused by the fences

    await sleep(GUARANTEE_MS);
    for (const { token } of seeded) {
      for (const answer of await answers([warmer, other, l2Only], token))
        expect(answer).toEqual({ valid: false, tier: 'db' });
    }
  });

  it('random logouts on two instances while a batched pass runs: none served after a second, the rest warmed', async () => {
    factory = new CoreFactory();
    const warmer = await factory.instance();
    const other = await factory.instance();
    const l2Only = await factory.instance({ SESSION_L1_MAX: '0' });
    const seeded = await seedSessions(factory.store, 240, { perUser: 3 });
    const shuffled = [...seeded].sort(() => Math.random() - 0.5);
    const loggedOut = shuffled.slice(0, 80);
    const kept = shuffled.slice(80);
    const warming = warmingFor(warmer, factory.store, { warmBatchSize: 15, warmBatchPause: 3 });

    const pass = warming.warmAll('start');
    const logouts = (async () => {
      for (const [i, { session }] of loggedOut.entries()) {
        if (i % 20 === 10) factory.hub.lose(i % 40 === 10); // the bus drops messages part of the time
        await (i % 2 === 0 ? warmer : other).sessions.revoke(session.id, 'logout');
        await sleep(Math.random() * 2);
      }
      factory.hub.restore();
    })();
    const [report] = await Promise.all([pass, logouts]);
    expect(report.warmed).toBeGreaterThan(0);

    await sleep(GUARANTEE_MS);
    const revokedAnswers = await Promise.all(
      loggedOut.map(({ token }: Seeded) => answers([warmer, other, l2Only], token)),
    );
    expect(revokedAnswers.flat().filter((a) => a.valid)).toEqual([]);
    // Sessions nobody logged out were warmed and are served from the caches.
    const keptTiers = await Promise.all(kept.map(({ token }) => answers([warmer], token)));
    const fromCache = keptTiers.flat().filter((a) => a.valid && a.tier !== 'db').length;
    expect(fromCache).toBeGreaterThan(kept.length * 0.9);
  });
});
