import { afterEach, describe, expect, it } from 'vitest';
import { newTrace } from '../../../src/sessions/types.js';
import { loadConfig } from '../../../src/config/index.js';
import { CoreFactory } from '../factory.js';
import { seedSessions, warmingFor } from './support.js';

let factory: CoreFactory;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
afterEach(async () => {
  await factory.close();
});

const tierOf = async (validate: (token: string, trace: ReturnType<typeof newTrace>) => unknown, token: string) => {
  const trace = newTrace();
  await validate(token, trace);
  return trace.tier;
};

describe('cache warming strategies', () => {
  it('embedded mode: a pass fills L1, so the first validations after a restart never reach the database', async () => {
    factory = new CoreFactory({ l2: false, shared: false });
    const a = await factory.instance();
    const seeded = await seedSessions(factory.store, 30);
    const report = await warmingFor(a, factory.store, { hasRedis: false }).warmAll('start');
    expect(report.tiers.l1).toMatchObject({ entries: 30, full: false });
    expect(report.tiers.l2).toBeUndefined();
    expect(report.strategies).toMatchObject({ roles: expect.any(Number), active: 30 });
    a.dbOps.length = 0;
    for (const { token } of seeded) expect(await tierOf(a.sessions.validate, token)).toBe('l1');
    expect(a.dbOps).toEqual([]);
  });

  it('scaled mode: every pass fills Redis; only the pass at start fills L1 too', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const first = await seedSessions(factory.store, 10);
    const warming = warmingFor(a, factory.store);
    const atStart = await warming.warmAll('start');
    expect(atStart.tiers).toMatchObject({ l1: { entries: 10 }, l2: { entries: 10 } });
    for (const { session } of first) expect(factory.l2.raw(`sess:${session.tokenHash}`)).toBeDefined();
    expect(await tierOf(a.sessions.validate, first[0].token)).toBe('l1');

    const later = await seedSessions(factory.store, 5);
    const scheduled = await warming.warmAll('schedule');
    expect(scheduled.tiers.l1).toBeUndefined();
    expect(scheduled.tiers.l2?.entries).toBe(15);
    expect(await tierOf(a.sessions.validate, later[0].token)).toBe('l2');
  });

  it('stops at the memory budget of each tier, most recently active first', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const seeded = await seedSessions(factory.store, 40); // seeded[0] is the most recently active
    const probe = await warmingFor(a, factory.store).warmAll('schedule');
    const perEntry = probe.tiers.l2!.bytes / 40;
    await factory.l2.flush();
    const budget = Math.floor(perEntry * 10.5);
    const report = await warmingFor(a, factory.store, { warmBudgetBytes: budget }).warmAll('schedule');
    expect(report.tiers.l2).toMatchObject({ entries: 10, full: true, budgetBytes: budget });
    expect(report.tiers.l2!.bytes).toBeLessThanOrEqual(budget);
    const cached = seeded.map(({ session }) => factory.l2.raw(`sess:${session.tokenHash}`) !== undefined);
    expect(cached).toEqual(seeded.map((_, i) => i < 10));
  });

  it('L1 warming never pushes out entries live traffic cached (SESSION_L1_MAX room)', async () => {
    factory = new CoreFactory({ l2: false, shared: false });
    const a = await factory.instance({ SESSION_L1_MAX: '12' });
    const seeded = await seedSessions(factory.store, 20);
    const report = await warmingFor(a, factory.store, { hasRedis: false }).warmAll('start');
    expect(report.tiers.l1).toMatchObject({ entries: 12, full: true });
    expect(a.stack.l1.stats()).toMatchObject({ size: 12, evictions: 0 });
    expect(seeded).toHaveLength(20);
  });

  it('explicit list: the given sessions and every live session of the given users, ahead of scheduled passes', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const singles = await seedSessions(factory.store, 4, { lastSeenAgoMs: () => 3 * 3_600_000 }); // outside the window
    const family = await seedSessions(factory.store, 3, { perUser: 3, lastSeenAgoMs: () => 3 * 3_600_000 });
    const warming = warmingFor(a, factory.store);
    expect((await warming.warmAll('schedule')).tiers.l2?.entries).toBe(0); // not recently active: not warmed
    const report = await warming.warmIds({
      sessionIds: [singles[0].session.id, singles[1].session.id, 'no-such-session'],
      userIds: [family[0].session.userId],
    });
    expect(report.strategies).toEqual({ explicit: 5 });
    const cached = (rows: typeof singles) =>
      rows.map((r) => factory.l2.raw(`sess:${r.session.tokenHash}`) !== undefined);
    expect(cached(singles)).toEqual([true, true, false, false]);
    expect(cached(family)).toEqual([true, true, true]);
  });

  it('most-validated sessions (hot keys) and their users’ other sessions', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const old = () => 3 * 3_600_000; // outside the window: only the hot and users strategies can warm them
    const hotUser = await seedSessions(factory.store, 3, { perUser: 3, lastSeenAgoMs: old });
    const cold = await seedSessions(factory.store, 3, { lastSeenAgoMs: old });
    const warming = warmingFor(a, factory.store, {
      hotKeys: async () => [`sess:${hotUser[0].session.tokenHash}`, 'rl:something-else'],
    });
    const report = await warming.warmAll('schedule');
    expect(report.strategies).toMatchObject({ hot: 1, active: 0, users: 2 });
    for (const { session } of hotUser) expect(factory.l2.raw(`sess:${session.tokenHash}`)).toBeDefined();
    for (const { session } of cold) expect(factory.l2.raw(`sess:${session.tokenHash}`)).toBeUndefined();
  });

  it('queued passes run one at a time, highest priority first', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const seeded = await seedSessions(factory.store, 5);
    const warming = warmingFor(a, factory.store);
    const order: string[] = [];
    const all = warming.warmAll('schedule').then((r) => order.push(`all:${r.reason}`));
    const second = warming.warmAll('schedule').then(() => order.push('all-again'));
    const ids = warming.warmIds({ sessionIds: [seeded[0].session.id] }).then(() => order.push('explicit'));
    await Promise.all([all, second, ids]);
    // The first pass was already running; of the two waiting, the explicit list (priority -10) goes first.
    expect(order).toEqual(['all:schedule', 'explicit', 'all-again']);
    expect(warming.warmer.status().strategies).toMatchObject({ explicit: { warmed: 1 }, active: { warmed: 5 } });
  });

  it('each strategy runs on its own cron schedule (croner), others on WARM_INTERVAL; a bad expression is a config error', async () => {
    factory = new CoreFactory();
    const a = await factory.instance();
    const warming = warmingFor(a, factory.store, { warmActiveCron: '* * * * * *' }); // every second
    warming.start();
    try {
      await sleep(50); // the pass at start
      const later = await seedSessions(factory.store, 2);
      const cached = () => later.every(({ session }) => factory.l2.raw(`sess:${session.tokenHash}`) !== undefined);
      for (let i = 0; i < 60 && !cached(); i++) await sleep(50);
      expect(cached()).toBe(true);
      const { strategies } = warming.warmer.status();
      expect(strategies.active.warmed).toBeGreaterThanOrEqual(2);
      expect(strategies.hot.at).toBeLessThan(strategies.active.at); // hot (hourly interval) ran only at start
    } finally {
      warming.stop();
    }
    expect(() => loadConfig({ WARM_HOT_CRON: 'every minute' })).toThrow(/WARM_HOT_CRON must be a cron expression/);
    expect(loadConfig({ WARM_HOT_CRON: '*/2 * * * *' }).warmHotCron).toBe('*/2 * * * *');
  });
});
