import pg from 'pg';
import { createBenchDatabase } from '../services.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import { startPrivateRedis, startServe, waitReady, type ServeProcess } from '../warm/processes.js';
import { replayValidations, type ReplayWindow } from '../warm/replay.js';
import { seedActiveSessions } from '../warm/seed.js';
import type { Suite } from './types.js';

type Scenario = 'restart' | 'flush' | 'both';
const SCENARIOS: Record<Scenario, string> = {
  restart: 'instance restarted (Redis kept)',
  flush: 'Redis restarted empty (instance kept)',
  both: 'instance restarted and Redis restarted empty',
};
const FIRST_SEC = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Transactions the database has committed so far (every query Tessera runs, warming's and validations'). */
async function dbTransactions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    const { rows } = await client.query<{ n: string }>(
      'select xact_commit + xact_rollback as n from pg_stat_database where datname = $1',
      [name],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

const pct = (rate: number | null): number | null => (rate === null ? null : Math.round(rate * 1000) / 10);

/**
 * The hit rate right after a cold start: 10 000 active sessions (seeded in a private PostgreSQL database) are
 * validated at a steady 1 000/s in random order, starting as soon as /ready answers 200 after the instance was
 * restarted, Redis (a private redis-server) was restarted empty, or both; warming off, then on, for each.
 */
export const warmSuite: Suite = {
  name: 'warm',
  description: 'hit rate in the first 10 s and first minute after a restart / Redis flush / both, warming on vs off',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const sessions = settings.warm?.sessions ?? 10_000;
    const rate = settings.warm?.rate ?? 1000;
    const windowSec = settings.warm?.windowSec ?? 60;
    const base: SuiteResult = {
      suite: 'warm',
      title: `Hit rate after a cold start: ${sessions} active sessions validated at ${rate}/s from /ready on`,
      columns: [
        ['scenario', 'scenario'],
        ['warming', 'warming'],
        ['first10s', `hit % first ${FIRST_SEC}s`],
        ['firstWindow', `hit % first ${windowSec}s`],
        ['l1', 'L1'],
        ['l2', 'L2'],
        ['db', 'DB'],
        ['dbQueries', 'DB queries (validations)'],
        ['dbTransactions', 'DB transactions (all)'],
        ['readyMs', 'to /ready ms'],
        ['failed', 'failed'],
      ],
      rows: [],
      notes: [],
      skipped: [],
    };
    if (!settings.databaseUrl) return { ...base, skipped: ['warm: DATABASE_URL not set (the suite needs PostgreSQL)'] };
    const database = await createBenchDatabase(settings.databaseUrl, 'warm');
    if ('error' in database)
      return { ...base, skipped: [`warm: could not create a private database: ${database.error}`] };
    const redis = await startPrivateRedis();
    let instance: { process: ServeProcess; warming: boolean } | undefined;
    try {
      settings.log(`  warm: seeding ${sessions} active sessions`);
      const tokens = await seedActiveSessions(database.url, sessions);
      const env = (warming: boolean) => ({
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        WARM_ENABLED: String(warming),
        ...settings.targetEnv,
      });
      const start = async (warming: boolean) => {
        const process = await startServe(env(warming));
        instance = { process, warming };
        return process;
      };
      // Steady state before each event: every session validated within the last pass, so Redis holds them all.
      const steady = async (warming: boolean) => {
        if (!instance || instance.warming !== warming) {
          await instance?.process.stop();
          await start(warming);
        }
        await replayValidations(instance!.process.url, {
          tokens,
          rate,
          durationSec: Math.ceil(sessions / rate) + 2,
          firstSec: 1,
        });
      };
      for (const scenario of Object.keys(SCENARIOS) as Scenario[]) {
        for (const warming of [false, true]) {
          settings.log(`  warm: ${SCENARIOS[scenario]}, warming ${warming ? 'on' : 'off'}`);
          await steady(warming);
          const before = await dbTransactions(database.url);
          const eventAt = Date.now();
          if (scenario !== 'flush') await instance!.process.stop();
          if (scenario !== 'restart') await redis.restartEmpty();
          const serve = scenario === 'flush' ? instance!.process : await start(warming);
          const readyAt = scenario === 'flush' ? await waitReady(serve.url) : serve.readyAt;
          const result = await replayValidations(serve.url, {
            tokens,
            rate,
            durationSec: windowSec,
            firstSec: FIRST_SEC,
          });
          await sleep(1500); // the database's statistics are flushed about once a second
          const after = await dbTransactions(database.url);
          base.rows.push(row(scenario, warming, result, after - before, readyAt - eventAt));
        }
      }
      base.summary = summary(base.rows, windowSec);
      base.notes.push(
        'hit % = validations answered from L1 or L2 ÷ validations answered 200; the replay starts when /ready first answers 200 (readiness does not wait for warming).',
        `Each session is validated about once every ${Math.round(sessions / rate)} s (a fresh random order per pass). Before each event, one steady pass (every session validated) fills Redis.`,
        'DB queries (validations) = sum of x-db-queries over the window; DB transactions (all) = pg_stat_database commits from the event to the end of the window: warming, the change log reads and activity writes included.',
        '"Redis restarted empty" kills the private redis-server (no persistence) and starts it again: how Redis loses its data; the instance notices the lost connection and, with warming on, warms Redis again.',
      );
      return base;
    } finally {
      await instance?.process.stop().catch(() => {});
      await redis.stop().catch(() => {});
      await database.drop().catch(() => {});
    }
  },
};

function row(
  scenario: Scenario,
  warming: boolean,
  result: Record<'first' | 'all', ReplayWindow>,
  dbTransactions: number,
  readyMs: number,
): Record<string, string | number | null> {
  return {
    scenario: SCENARIOS[scenario],
    warming: warming ? 'on' : 'off',
    first10s: pct(result.first.hitRate),
    firstWindow: pct(result.all.hitRate),
    l1: result.all.l1,
    l2: result.all.l2,
    db: result.all.db,
    dbQueries: result.all.dbQueries,
    dbTransactions,
    readyMs,
    failed: result.all.failed,
  };
}

function summary(rows: Array<Record<string, string | number | null>>, windowSec: number): Record<string, unknown> {
  const on = rows.filter((r) => r.warming === 'on');
  return {
    windowSec,
    firstWindowHitPercent: Object.fromEntries(rows.map((r) => [`${r.scenario} / warming ${r.warming}`, r.firstWindow])),
    target95MetWithWarming: on.every((r) => typeof r.firstWindow === 'number' && r.firstWindow >= 95),
  };
}
