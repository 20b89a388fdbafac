import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import type { LoggedSessionChange, SessionChange } from '../types.js';
import { chunk } from './retired-tokens.js';

export interface ChangedRow {
  id: string;
  revision: number | string;
}

/** Appends one change-log row per changed session, in the caller's transaction, last (so it commits at once). */
export async function logChanges(trx: Kysely<Database>, rows: ChangedRow[], now: number): Promise<SessionChange[]> {
  const changes = rows.map((r) => ({ sessionId: r.id, revision: Number(r.revision) }));
  for (const part of chunk(changes, 500)) {
    await trx
      .insertInto('session_changes')
      .values(part.map((c) => ({ session_id: c.sessionId, revision: c.revision, changed_at: now })))
      .execute();
  }
  return changes;
}

export async function changesAfter(db: Kysely<Database>, seq: number, limit: number): Promise<LoggedSessionChange[]> {
  const rows = await db
    .selectFrom('session_changes')
    .select(['seq', 'session_id', 'revision'])
    .where('seq', '>', seq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), sessionId: r.session_id, revision: Number(r.revision) }));
}

export async function changeSeqBefore(db: Kysely<Database>, since: number): Promise<number> {
  const first = await db
    .selectFrom('session_changes')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .where('changed_at', '>=', since)
    .executeTakeFirst();
  if (first?.seq !== null && first?.seq !== undefined) return Number(first.seq) - 1;
  const last = await db
    .selectFrom('session_changes')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(last?.seq ?? 0);
}

export async function deleteChangesBefore(db: Kysely<Database>, before: number): Promise<void> {
  await db.deleteFrom('session_changes').where('changed_at', '<', before).execute();
}
