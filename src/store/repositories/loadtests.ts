import type { Selectable } from 'kysely';
import type { Db, LoadTestRunsTable } from '../database.js';
import type { LoadTestRunRecord, LoadTestStatus, LoadTestsRepository } from '../types.js';

/** Every column but the report, which only the report endpoints read. */
const RUN_COLUMNS = [
  'id',
  'name',
  'kind',
  'preset',
  'params',
  'target',
  'status',
  'instance_id',
  'created_by',
  'started_at',
  'finished_at',
  'heartbeat_at',
  'stop_requested_at',
  'progress',
  'grade',
  'summary',
  'error',
] as const;

type RunRow = Omit<Selectable<LoadTestRunsTable>, 'report'>;

const json = (text: string | null): Record<string, unknown> | null =>
  text === null ? null : (JSON.parse(text) as Record<string, unknown>);
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

function toRun(row: RunRow): LoadTestRunRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as LoadTestRunRecord['kind'],
    preset: row.preset,
    params: json(row.params) ?? {},
    target: row.target,
    status: row.status as LoadTestStatus,
    instanceId: row.instance_id,
    createdBy: row.created_by,
    startedAt: Number(row.started_at),
    finishedAt: num(row.finished_at),
    heartbeatAt: Number(row.heartbeat_at),
    stopRequestedAt: num(row.stop_requested_at),
    progress: json(row.progress),
    grade: row.grade,
    summary: json(row.summary),
    error: row.error,
  };
}

export function loadTestsRepository(db: Db): LoadTestsRepository {
  return {
    async insert(run) {
      await db
        .insertInto('loadtest_runs')
        .values({
          id: run.id,
          name: run.name,
          kind: run.kind,
          preset: run.preset,
          params: JSON.stringify(run.params),
          target: run.target,
          status: run.status,
          instance_id: run.instanceId,
          created_by: run.createdBy,
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          heartbeat_at: run.heartbeatAt,
          stop_requested_at: run.stopRequestedAt,
          progress: run.progress === null ? null : JSON.stringify(run.progress),
          grade: run.grade,
          summary: run.summary === null ? null : JSON.stringify(run.summary),
          error: run.error,
          report: null,
        })
        .execute();
    },

    async get(id) {
      const row = await db.selectFrom('loadtest_runs').select(RUN_COLUMNS).where('id', '=', id).executeTakeFirst();
      return row ? toRun(row) : undefined;
    },

    async list(limit) {
      const rows = await db
        .selectFrom('loadtest_runs')
        .select(RUN_COLUMNS)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toRun);
    },

    async report(id) {
      const row = await db.selectFrom('loadtest_runs').select('report').where('id', '=', id).executeTakeFirst();
      return row?.report ?? undefined;
    },

    async heartbeat(id, now, progress) {
      await db
        .updateTable('loadtest_runs')
        .set({ heartbeat_at: now, progress: progress === null ? null : JSON.stringify(progress) })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
      const row = await db
        .selectFrom('loadtest_runs')
        .select('stop_requested_at')
        .where('id', '=', id)
        .executeTakeFirst();
      return { stopRequested: row?.stop_requested_at !== null && row?.stop_requested_at !== undefined };
    },

    async requestStop(id, now) {
      const result = await db
        .updateTable('loadtest_runs')
        .set({ stop_requested_at: now })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('stop_requested_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return true;
      const row = await db.selectFrom('loadtest_runs').select('status').where('id', '=', id).executeTakeFirst();
      return row?.status === 'running';
    },

    async finish(id, r) {
      await db
        .updateTable('loadtest_runs')
        .set({
          status: r.status,
          finished_at: r.finishedAt,
          grade: r.grade,
          summary: r.summary === null ? null : JSON.stringify(r.summary),
          error: r.error,
          report: r.report,
          progress: null,
        })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
    },

    async markStale(heartbeatBefore, now, message) {
      const result = await db
        .updateTable('loadtest_runs')
        .set({ status: 'error', finished_at: now, error: message, progress: null })
        .where('status', '=', 'running')
        .where('heartbeat_at', '<', heartbeatBefore)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async prune(keep) {
      // The table stays near `keep` rows, so reading every id is cheap and portable (no OFFSET without LIMIT in SQLite).
      const rows = await db
        .selectFrom('loadtest_runs')
        .select(['id', 'status'])
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      const doomed = rows
        .slice(keep)
        .filter((r) => r.status !== 'running')
        .map((r) => r.id);
      if (doomed.length === 0) return 0;
      await db.deleteFrom('loadtest_runs').where('id', 'in', doomed).execute();
      return doomed.length;
    },

    async saveBaseline(b) {
      const exists = await db
        .selectFrom('loadtest_baselines')
        .select('run_id')
        .where('run_id', '=', b.runId)
        .executeTakeFirst();
      if (exists) return false;
      await db
        .insertInto('loadtest_baselines')
        .values({ run_id: b.runId, name: b.name, created_at: b.createdAt, report: b.report })
        .onConflict((oc) => oc.column('run_id').doNothing())
        .execute();
      return true;
    },

    async baseline(runId) {
      const row = await db.selectFrom('loadtest_baselines').selectAll().where('run_id', '=', runId).executeTakeFirst();
      return row
        ? { runId: row.run_id, name: row.name, createdAt: Number(row.created_at), report: row.report }
        : undefined;
    },

    async baselineIds(runIds) {
      if (runIds.length === 0) return new Set();
      const rows = await db.selectFrom('loadtest_baselines').select('run_id').where('run_id', 'in', runIds).execute();
      return new Set(rows.map((r) => r.run_id));
    },

    async pruneBaselines(keep) {
      const rows = await db
        .selectFrom('loadtest_baselines')
        .select('run_id')
        .orderBy('created_at', 'desc')
        .orderBy('run_id', 'desc')
        .execute();
      const doomed = rows.slice(keep).map((r) => r.run_id);
      if (doomed.length === 0) return 0;
      await db.deleteFrom('loadtest_baselines').where('run_id', 'in', doomed).execute();
      return doomed.length;
    },
  };
}
