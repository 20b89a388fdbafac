import { STALENESS_BOUND_MS, type Violation } from './violations.js';

export interface VersionRead {
  instance: string;
  sentAt: number;
  status: number;
  version?: number;
}

export interface VersionAck {
  version: number;
  ackAt: number;
}

/** Reads that showed a `version` older than one acknowledged more than 1 s before the read was sent. */
export function staleVersionReads(
  sessionId: string,
  reads: VersionRead[],
  acks: VersionAck[],
  trial?: number,
): Violation[] {
  const violations: Violation[] = [];
  for (const read of reads) {
    if (read.status !== 200 || read.version === undefined) continue;
    const settled = acks.filter((a) => a.ackAt < read.sentAt - STALENESS_BOUND_MS);
    if (settled.length === 0) continue;
    const newest = settled.reduce((x, y) => (y.version > x.version ? y : x));
    if (read.version < newest.version) {
      violations.push({
        trial,
        subject: sessionId,
        instance: read.instance,
        status: read.status,
        msAfterAck: read.sentAt - newest.ackAt,
        what: `version ${read.version} served, ${newest.version} acknowledged`,
      });
    }
  }
  return violations;
}
