import type { LoggedSessionChange } from '../store/types.js';

/**
 * The revocation stream's frames (Server-Sent Events). `id` is a position in the database's change log
 * (`session_changes.seq`): every instance reads the same log, so an id from one resumes on any other.
 */

/** Sessions whose cached copies must go: revoked, expired early, rotated out, or changed (user roles, `data`). */
export function revokeFrame(changes: readonly Pick<LoggedSessionChange, 'sessionId' | 'revision'>[], id?: number) {
  const sessions = changes.map((c) => ({ id: c.sessionId, revision: c.revision }));
  return `${id === undefined ? '' : `id: ${id}\n`}event: revoke\ndata: ${JSON.stringify({ sessions })}\n\n`;
}

/** Everything cached may be stale (a gap that cannot be replayed, a cache flush, a reader that fell behind). */
export const flushFrame = (id: number | undefined, reason: string): string =>
  `${id === undefined ? '' : `id: ${id}\n`}event: flush\ndata: ${JSON.stringify({ reason })}\n\n`;

/** This instance hears of every change (its bus is up, its change-log reader current) and this stream is caught up. */
export const heartbeatFrame = (id: number, now: number): string => `id: ${id}\nevent: heartbeat\ndata: ${now}\n\n`;
