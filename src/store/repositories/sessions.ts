import type { Db } from '../database.js';
import { fromSession, toRetiredToken, toSession } from '../mapping.js';
import { sessionWithUserQuery, toSessionWithUser } from './session-with-user.js';
import type { SessionsRepository } from '../types.js';
import { cleanupSessions, countSessionsByState } from './session-maintenance.js';
import { retiredHashesOf } from './retired-tokens.js';
import { changeSeqBefore, changesAfter, logChanges, type ChangedRow } from './session-changes.js';

async function changedSessions(trx: Db, rows: Array<ChangedRow & { token_hash: string }>, now: number) {
  const sessionIds = rows.map((r) => r.id);
  const retired = await retiredHashesOf(trx, sessionIds);
  const changes = await logChanges(trx, rows, now);
  return { sessionIds, tokenHashes: [...rows.map((r) => r.token_hash), ...retired], changes };
}

/** `prepare`: marks a query's SQL as one to prepare once and reuse (PostgreSQL named statements). */
export function sessionsRepository(db: Db, prepare: (sql: string) => void = () => {}): SessionsRepository {
  prepare(sessionWithUserQuery(db, '').compile().sql);
  const live = (now: number) =>
    db
      .selectFrom('sessions')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where('idle_expires_at', '>', now);

  return {
    async insert(session) {
      await db.insertInto('sessions').values(fromSession(session)).execute();
    },

    async findById(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSession(row);
    },

    async findByTokenHash(tokenHash) {
      const row = await db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toSession(row);
    },

    async findWithUserByTokenHash(tokenHash) {
      const row = await sessionWithUserQuery(db, tokenHash).executeTakeFirst();
      return row && toSessionWithUser(row);
    },

    async findRetiredToken(tokenHash) {
      const row = await db
        .selectFrom('retired_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row && toRetiredToken(row);
    },

    // Compare-and-set on the current hash; a revoked session cannot be rotated.
    async rotate(sessionId, oldHash, newHash, now, idleExpiresAt) {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('sessions')
          .set((eb) => ({
            token_hash: newHash,
            last_seen_at: now,
            idle_expires_at: idleExpiresAt,
            revision: eb('revision', '+', 1),
          }))
          .where('id', '=', sessionId)
          .where('token_hash', '=', oldHash)
          .where('revoked_at', 'is', null)
          .returning(['id', 'revision'])
          .executeTakeFirst();
        if (!result) return undefined;
        await trx
          .insertInto('retired_tokens')
          .values({ token_hash: oldHash, session_id: sessionId, retired_at: now })
          .execute();
        return (await logChanges(trx, [result], now))[0];
      });
    },

    async touch(id, lastSeenAt, idleExpiresAt) {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    },

    async revoke(id, reason, now) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('sessions')
          .set((eb) => ({ revoked_at: now, revoke_reason: reason, revision: eb('revision', '+', 1) }))
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        const retired = await retiredHashesOf(trx, [row.id]);
        const changes = await logChanges(trx, [row], now);
        return { session: toSession(row), sessionIds: [row.id], tokenHashes: [row.token_hash, ...retired], changes };
      });
    },

    async revokeAllForUser(userId, reason, now, exceptSessionId) {
      return db.transaction().execute(async (trx) => {
        let update = trx
          .updateTable('sessions')
          .set((eb) => ({ revoked_at: now, revoke_reason: reason, revision: eb('revision', '+', 1) }))
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null);
        if (exceptSessionId !== undefined) update = update.where('id', '!=', exceptSessionId);
        const rows = await update.returning(['id', 'token_hash', 'revision']).execute();
        return changedSessions(trx, rows, now);
      });
    },

    // Only sessions that can still be cached need a new revision: live ones (revoked ones are fenced already).
    async markUserChanged(userId, now) {
      return db.transaction().execute(async (trx) => {
        const rows = await trx
          .updateTable('sessions')
          .set((eb) => ({ revision: eb('revision', '+', 1) }))
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .returning(['id', 'token_hash', 'revision'])
          .execute();
        return changedSessions(trx, rows, now);
      });
    },

    changesAfter: (seq, limit) => changesAfter(db, seq, limit),
    changeSeqBefore: (since) => changeSeqBefore(db, since),

    async listLiveByUser(userId, now) {
      const rows = await live(now)
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toSession);
    },

    async updateData(id, data, expectedVersion, now) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('sessions')
          .set((eb) => ({
            data: JSON.stringify(data),
            version: eb('version', '+', 1),
            revision: eb('revision', '+', 1),
          }))
          .where('id', '=', id)
          .where('version', '=', expectedVersion)
          .returning(['id', 'version', 'revision'])
          .executeTakeFirst();
        if (!row) return undefined;
        const [change] = await logChanges(trx, [row], now);
        return { data, version: Number(row.version), change: change };
      });
    },

    cleanup: (options) => cleanupSessions(db, options),
    countByState: (now) => countSessionsByState(db, now),

    async recentlyActive(since, now, limit) {
      const rows = await live(now)
        .where('last_seen_at', '>=', since)
        .orderBy('last_seen_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toSession);
    },
  };
}
