import type { Instance } from './instances.js';
import { STALENESS_BOUND_MS, type Violation } from './violations.js';

export interface RevokedToken {
  sessionId: string;
  token: string;
  /** Client time the revocation's 2xx arrived. */
  ackAt: number;
}

export interface ProbeTally {
  checks: number;
  unavailable: number;
  violations: Violation[];
}

export const emptyTally = (): ProbeTally => ({ checks: 0, unavailable: 0, violations: [] });

/**
 * Validates every revoked token on every instance once. A 200 sent more than 1 s after the revocation's
 * ack is a violation; a 503 is counted apart; a request sent within the first second proves nothing.
 */
export async function probeRevoked(
  instances: Instance[],
  revoked: RevokedToken[],
  tally: ProbeTally,
  trial?: number,
): Promise<void> {
  await Promise.all(
    revoked.flatMap((r) =>
      instances.map(async (instance) => {
        const sentAt = Date.now();
        const res = await instance.api('GET', '/v1/auth/session', undefined, { token: r.token });
        if (sentAt - r.ackAt <= STALENESS_BOUND_MS) return;
        tally.checks += 1;
        if (res.status === 503) tally.unavailable += 1;
        if (res.status === 200) {
          tally.violations.push({
            trial,
            subject: r.sessionId,
            instance: instance.name,
            status: res.status,
            msAfterAck: sentAt - r.ackAt,
            what: 'revoked session validated',
          });
        }
      }),
    ),
  );
}
