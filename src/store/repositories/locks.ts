import type { Db } from '../database.js';
import type { LocksRepository } from '../types.js';

export function locksRepository(db: Db): LocksRepository {
  return {
    // One atomic statement on both dialects: the row is taken only when absent, expired, or already ours.
    async tryAcquire(name, owner, ttlMs, now) {
      const result = await db
        .insertInto('job_locks')
        .values({ name, owner, acquired_at: now, expires_at: now + ttlMs })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet((eb) => ({
              owner: eb.ref('excluded.owner'),
              acquired_at: eb.ref('excluded.acquired_at'),
              expires_at: eb.ref('excluded.expires_at'),
            }))
            .where((eb) => eb.or([eb('job_locks.expires_at', '<=', now), eb('job_locks.owner', '=', owner)])),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async release(name, owner) {
      await db.deleteFrom('job_locks').where('name', '=', name).where('owner', '=', owner).execute();
    },
  };
}
