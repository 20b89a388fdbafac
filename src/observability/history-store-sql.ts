import type { Kysely } from 'kysely';
import type { Aggregate } from './aggregate.js';
import type { HistoryStore } from './history-store.js';

/** The tables this store uses (migration 0002_observability). */
export interface HistoryTables {
  metric_minutes: { minute_start: number; instance: string; data: string };
  metric_live: { instance: string; at: number; data: string };
}

/**
 * History in the database (SQLite or PostgreSQL) when there is no Redis: instances sharing the database share
 * one view, and a restart loses nothing. One row per (minute, instance); old minutes are pruned as new ones land.
 */
export class SqlHistoryStore implements HistoryStore {
  readonly kind = 'sql' as const;
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<HistoryTables>,
    private readonly retentionMs: number,
  ) {}

  async writeMinute(instanceId: string, minute: Aggregate): Promise<void> {
    const data = JSON.stringify(minute);
    await this.db
      .insertInto('metric_minutes')
      .values({ minute_start: minute.start, instance: instanceId, data })
      .onConflict((oc) => oc.columns(['minute_start', 'instance']).doUpdateSet({ data }))
      .execute();
    await this.db
      .deleteFrom('metric_minutes')
      .where('minute_start', '<', minute.start - this.retentionMs)
      .execute();
  }

  async readMinutes(from: number, to: number): Promise<Map<number, Aggregate[]>> {
    const rows = await this.db
      .selectFrom('metric_minutes')
      .select(['minute_start', 'data'])
      .where('minute_start', '>=', from)
      .where('minute_start', '<', to)
      .orderBy('minute_start')
      .execute();
    const out = new Map<number, Aggregate[]>();
    for (const row of rows) {
      const start = Number(row.minute_start);
      const list = out.get(start) ?? [];
      list.push(JSON.parse(row.data) as Aggregate);
      out.set(start, list);
    }
    return out;
  }

  async publishLive(instanceId: string, window: Aggregate, now: number): Promise<void> {
    const data = JSON.stringify(window);
    await this.db
      .insertInto('metric_live')
      .values({ instance: instanceId, at: now, data })
      .onConflict((oc) => oc.column('instance').doUpdateSet({ at: now, data }))
      .execute();
  }

  async readLive(now: number, maxAgeMs: number): Promise<Map<string, Aggregate>> {
    const rows = await this.db
      .selectFrom('metric_live')
      .select(['instance', 'data'])
      .where('at', '>=', now - maxAgeMs)
      .execute();
    if (now - this.lastPrune > 30_000) {
      this.lastPrune = now;
      await this.db
        .deleteFrom('metric_live')
        .where('at', '<', now - 10 * maxAgeMs)
        .execute();
    }
    return new Map(rows.map((r) => [r.instance, JSON.parse(r.data) as Aggregate]));
  }

  async close(): Promise<void> {}
}
