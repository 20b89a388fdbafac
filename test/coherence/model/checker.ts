import { STALENESS_BOUND_MS, type Violation } from '../support/violations.js';
import { staleVersionReads, type VersionAck, type VersionRead } from '../support/version-reads.js';
import { acknowledged, type HistoryEntry } from './history.js';

interface RoleChange {
  roles: string;
  sendAt: number;
  /** Undefined when the change was never acknowledged (it may or may not have happened). */
  ackAt?: number;
}

const roleKey = (roles: string[]): string => [...roles].sort().join(',');

/** When each token stops being acceptable: its session's first acknowledged revocation, or the end of its rotation grace. */
function tokenDeaths(
  entries: HistoryEntry[],
  rotationGraceMs: number,
): Map<string, { at: number; sessionId: string; why: string }> {
  const sessionOf = new Map<string, string>();
  const revokedAt = new Map<string, { at: number; why: string }>();
  const rotatedAt = new Map<string, number>();
  for (const e of entries) {
    if (!acknowledged(e)) continue;
    if (e.newToken && e.sessionId) sessionOf.set(e.newToken, e.sessionId);
    if (e.kind === 'refresh' && e.token) rotatedAt.set(e.token, e.ackAt + rotationGraceMs);
    for (const id of e.revokes ?? []) {
      const earlier = revokedAt.get(id);
      if (!earlier || e.ackAt < earlier.at) revokedAt.set(id, { at: e.ackAt, why: e.kind });
    }
  }
  const deaths = new Map<string, { at: number; sessionId: string; why: string }>();
  for (const [token, sessionId] of sessionOf) {
    const revoked = revokedAt.get(sessionId);
    const rotated = rotatedAt.get(token);
    if (revoked && (rotated === undefined || revoked.at <= rotated))
      deaths.set(token, { at: revoked.at, sessionId, why: revoked.why });
    else if (rotated !== undefined) deaths.set(token, { at: rotated, sessionId, why: 'rotated out, grace over' });
  }
  return deaths;
}

/** A served role set must be the newest acknowledged 1 s before the request, or one of the changes in flight since. */
function staleRoles(
  validation: HistoryEntry,
  changes: RoleChange[],
): { msAfterAck: number; expected: string } | undefined {
  if (!validation.roles) return undefined;
  const served = roleKey(validation.roles);
  const settled = changes.filter((c) => c.ackAt !== undefined && c.ackAt < validation.sendAt - STALENESS_BOUND_MS);
  const last = settled.at(-1) ?? { roles: 'user', sendAt: 0, ackAt: 0 };
  const possible = new Set([
    last.roles,
    ...changes
      .filter((c) => c.sendAt < validation.ackAt && (c.ackAt === undefined || c.ackAt > last.ackAt!))
      .map((c) => c.roles),
  ]);
  return possible.has(served) ? undefined : { msAfterAck: validation.sendAt - last.ackAt!, expected: last.roles };
}

/**
 * Holds every answer of the history against what had been acknowledged more than 1 s before it was sent:
 * no 200 for a dead token, no `version` older than an acknowledged data write, no superseded role set.
 */
export function checkHistory(entries: HistoryEntry[], rotationGraceMs: number): Violation[] {
  const violations: Violation[] = [];
  const deaths = tokenDeaths(entries, rotationGraceMs);
  const validations = entries.filter((e) => e.kind === 'validate' && e.status === 200);

  for (const v of validations) {
    const death = deaths.get(v.token!);
    if (death && v.sendAt > death.at + STALENESS_BOUND_MS) {
      violations.push({
        subject: death.sessionId,
        instance: v.instance,
        status: v.status,
        msAfterAck: v.sendAt - death.at,
        what: `token validated after ${death.why}`,
      });
    }
  }

  const bySession = new Map<string, { reads: VersionRead[]; acks: VersionAck[] }>();
  const slot = (id: string) => bySession.get(id) ?? bySession.set(id, { reads: [], acks: [] }).get(id)!;
  for (const e of entries) {
    if (!e.sessionId || e.version === undefined) continue;
    if (e.kind === 'dataWrite' && e.status === 200) slot(e.sessionId).acks.push({ version: e.version, ackAt: e.ackAt });
    if (e.kind === 'validate' && e.status === 200)
      slot(e.sessionId).reads.push({ instance: e.instance, sentAt: e.sendAt, status: e.status, version: e.version });
  }
  for (const [sessionId, { reads, acks }] of bySession) violations.push(...staleVersionReads(sessionId, reads, acks));

  const changesByUser = new Map<string, RoleChange[]>();
  for (const e of entries.filter((x) => x.kind === 'roleChange' && x.roles).sort((x, y) => x.sendAt - y.sendAt)) {
    if (e.status >= 400 && e.status < 500) continue; // refused: nothing changed
    const list = changesByUser.get(e.userId) ?? changesByUser.set(e.userId, []).get(e.userId)!;
    list.push({ roles: roleKey(e.roles!), sendAt: e.sendAt, ackAt: acknowledged(e) ? e.ackAt : undefined });
  }
  for (const v of validations) {
    const stale = staleRoles(v, changesByUser.get(v.userId) ?? []);
    if (stale)
      violations.push({
        subject: `user ${v.userId}`,
        instance: v.instance,
        status: v.status,
        msAfterAck: stale.msAfterAck,
        what: `roles ${roleKey(v.roles!)} served, ${stale.expected} acknowledged`,
      });
  }
  return violations;
}
