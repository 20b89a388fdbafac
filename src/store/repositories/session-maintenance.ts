import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db } from '../database.js';
import type { SessionCleanupCounts, SessionCleanupQuery } from '../types.js';
import { chunk } from './retired-tokens.js';
import { deleteChangesBefore } from './session-changes.js';

const deletable = (now: number, revokedBefore: number) => (eb: ExpressionBuilder<Database, 'sessions'>) =>
  eb.or([eb('expires_at', '<', now), eb('idle_expires_at', '<', now), eb('revoked_at', '<', revokedBefore)]);

const countSessions = async (db: Db, where?: ReturnType<typeof deletable>): Promise<number> => {
  let query = db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n'));
  if (where) query = query.where(where);
  return Number((await query.executeTakeFirstOrThrow()).n);
};

/**
 * Deletes expired and long-revoked sessions (with their retired tokens) in batches of `batchSize`, each batch its
 * own short transaction so the table is never locked for long. A dry run reports the same numbers a real run would.
 */
export async function cleanupSessions(
  db: Db,
  { now, revokedBefore, changesBefore, batchSize, dryRun }: SessionCleanupQuery,
): Promise<SessionCleanupCounts> {
  const where = deletable(now, revokedBefore);
  if (dryRun) {
    const deleted = await countSessions(db, where);
    return { deleted, remaining: (await countSessions(db)) - deleted };
  }
  let deleted = 0;
  for (;;) {
    const ids = (await db.selectFrom('sessions').select('id').where(where).limit(batchSize).execute()).map((r) => r.id);
    if (ids.length === 0) break;
    await db.transaction().execute(async (trx) => {
      for (const part of chunk(ids)) {
        await trx.deleteFrom('retired_tokens').where('session_id', 'in', part).execute();
        const result = await trx.deleteFrom('sessions').where('id', 'in', part).executeTakeFirst();
        deleted += Number(result.numDeletedRows);
      }
    });
    if (ids.length < batchSize) break;
  }
  if (changesBefore !== undefined) await deleteChangesBefore(db, changesBefore);
  return { deleted, remaining: await countSessions(db) };
}

export async function countSessionsByState(db: Db, now: number) {
  const isRevoked = sql`revoked_at is not null`;
  const isLive = sql`revoked_at is null and expires_at > ${now} and idle_expires_at > ${now}`;
  const row = await db
    .selectFrom('sessions')
    .select([
      sql<number | string | null>`sum(case when ${isRevoked} then 1 else 0 end)`.as('revoked'),
      sql<number | string | null>`sum(case when ${isLive} then 1 else 0 end)`.as('active'),
      sql<number | string | null>`sum(case when ${isRevoked} or ${isLive} then 0 else 1 end)`.as('expired'),
    ])
    .executeTakeFirstOrThrow();
  return { active: Number(row.active ?? 0), expired: Number(row.expired ?? 0), revoked: Number(row.revoked ?? 0) };
}
