import { describe, expect, it } from 'vitest';
import { exportCsv } from '../../src/observability/export.js';
import { MemoryHistoryStore } from '../../src/observability/history-store-memory.js';
import { Observability } from '../../src/observability/index.js';
import { SessionStatsCache } from '../../src/observability/session-stats.js';
import { statementName } from '../../src/store/query-monitor.js';
import { silentLogger, testSettings } from './harness.js';

describe('the monitors in the minute history', () => {
  it('error classes, slow queries, the average and sampled levels are kept per minute, merged across instances', async () => {
    let now = Date.UTC(2026, 11, 1, 12, 0, 30);
    const store = MemoryHistoryStore.memory(86_400_000);
    const make = (instanceId: string) =>
      Observability.create({
        settings: testSettings(),
        logger: silentLogger,
        sampleProcess: false,
        now: () => now,
        historyStore: store,
        instanceId,
      });
    const [a, b] = [await make('a'), await make('b')];
    try {
      now += 60_000; // into the next minute, which both instances fill
      a.metrics.httpRequest('/v1/auth/session', 'GET', 200, 0.01);
      a.metrics.httpRequest('/v1/auth/session', 'GET', 401, 0.03);
      a.metrics.httpRequest('/v1/auth/session', 'GET', 504, 0.05);
      b.metrics.requestTimedOut();
      b.metrics.dbQuery('sessions.select', 0.3, true);
      a.metrics.level('dbPoolWaiting', 3);
      b.metrics.level('dbPoolWaiting', 5);
      a.metrics.level('sessionsTableBytes', 81920);
      a.metrics.level('redisEvictedKeys', 12);
      now += 1_000;
      a.metrics.level('dbPoolWaiting', 1); // a later, lower sample: the minute keeps its worst
      now = Date.UTC(2026, 11, 1, 12, 2, 1); // that minute is complete
      await a.history!.tick();
      await b.history!.tick();
      const points = await a.history!.history(2 * 60_000);
      const p = points.at(-1)!;
      expect(p.requests).toBe(3);
      expect(p.errors).toBe(1);
      expect(p.clientErrors).toBe(1);
      expect(p.timeouts).toBe(2); // the 504 and the connection closed on its timeout
      expect(p.slowQueries).toBe(1);
      expect(p.avgMs).toBeGreaterThan(25);
      expect(p.avgMs).toBeLessThan(35);
      expect(p.levels).toMatchObject({ dbPoolWaiting: 5, sessionsTableBytes: 81920, redisEvictedKeys: 12 });
      const csv = exportCsv([p]).trim().split('\n');
      const header = csv[0].split(',');
      const row = csv[1].split(',');
      expect(row[header.indexOf('db_pool_waiting')]).toBe('5');
      expect(row[header.indexOf('client_errors')]).toBe('1');
      expect(row[header.indexOf('sessions_table_bytes')]).toBe('81920');
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('session stats polled on an interval', () => {
  it('once polling, readers never query the store: only the timer does', async () => {
    let reads = 0;
    const cache = new SessionStatsCache(10_000);
    cache.setSource(async () => ({ active: ++reads, expired: 0, revoked: 0 }));
    expect((await cache.get())?.active).toBe(1); // the first reader, before any poll
    cache.poll(50);
    try {
      for (let i = 0; i < 20; i++) await cache.get();
      expect(reads).toBe(1);
      await new Promise((r) => setTimeout(r, 180));
      expect(reads).toBeGreaterThanOrEqual(3);
      const polled = reads;
      for (let i = 0; i < 20; i++) expect((await cache.get())?.active).toBe(polled);
    } finally {
      cache.stop();
    }
  });
});

describe('statement names', () => {
  it('are table.verb from the SQL, never its parameters', () => {
    expect(statementName('select "id", "email" from "users" where "email" = $1')).toBe('users.select');
    expect(statementName('insert into "audit_events" ("id") values ($1)')).toBe('audit_events.insert');
    expect(statementName('update "sessions" set "last_seen_at" = $1 where "id" = $2')).toBe('sessions.update');
    expect(statementName('delete from "sessions" where "id" in (select "id" from "x")')).toBe('sessions.delete');
    expect(
      statementName('with d as (select "id" from "sessions" limit 5) delete from "session_changes" where 1=1'),
    ).toBe('session_changes.delete');
    expect(statementName('select 1')).toBe('select');
    expect(statementName('vacuum')).toBe('other');
  });
});
