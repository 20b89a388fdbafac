import { randomUUID } from 'node:crypto';
import type { SessionCleanupCounts, SessionCleanupQuery, Store } from '../store/types.js';

/** `remaining` is -1 when the run was skipped. */
export interface CleanupResult extends SessionCleanupCounts {
  skipped?: 'locked';
}

export interface CleanupOptions extends Pick<SessionCleanupQuery, 'batchSize' | 'dryRun'> {
  revokedRetentionMs: number;
  /** Change-log rows older than this are deleted too (see changeLogRetentionMs in core.ts). */
  changeLogRetentionMs?: number;
  /** How long the lock outlives a crashed holder; a live holder renews it while it works. */
  lockTtlMs: number;
  /** Who holds the lock: one per instance (runtime), so two instances in one process exclude each other too. */
  owner?: string;
}

const LOCK = 'sessions-cleanup';
const PROCESS_OWNER = randomUUID();

/** Deletes expired and long-revoked sessions in batches; one instance at a time, by a lock in the database. */
export async function cleanupSessions(store: Store, options: CleanupOptions): Promise<CleanupResult> {
  const now = Date.now();
  const owner = options.owner ?? PROCESS_OWNER;
  const { lockTtlMs } = options;
  if (!options.dryRun && !(await store.locks.tryAcquire(LOCK, owner, lockTtlMs, now))) {
    return { deleted: 0, remaining: -1, skipped: 'locked' };
  }
  // A run may outlast the lock's TTL (a big backlog, a slow database): renew it so no other instance starts meanwhile.
  let renewal: Promise<unknown> = Promise.resolve();
  const renew = options.dryRun
    ? undefined
    : setInterval(
        () => {
          renewal = renewal.then(() => store.locks.tryAcquire(LOCK, owner, lockTtlMs, Date.now())).catch(() => {});
        },
        Math.max(10, Math.floor(lockTtlMs / 3)),
      );
  renew?.unref();
  try {
    const changesBefore = options.changeLogRetentionMs === undefined ? undefined : now - options.changeLogRetentionMs;
    return await store.sessions.cleanup({
      now,
      revokedBefore: now - options.revokedRetentionMs,
      changesBefore,
      batchSize: options.batchSize,
      dryRun: options.dryRun,
    });
  } finally {
    if (renew) {
      clearInterval(renew);
      await renewal; // a renewal landing after the release would take the lock again
      await store.locks.release(LOCK, owner).catch(() => {});
    }
  }
}
