import { PASSWORD } from '../../helpers/tessera.js';
import type { Instance } from '../../coherence/support/instances.js';
import {
  emptyTally,
  probeRevoked,
  type ProbeTally,
  type RevokedToken,
} from '../../coherence/support/revocation-probe.js';
import { sleep } from '../../coherence/support/trials.js';

export type Operation = 'validate' | 'login' | 'refresh' | 'logout';
const OPERATIONS: Operation[] = ['validate', 'login', 'refresh', 'logout'];

export interface OperationStats {
  ok: number;
  /** Any answer other than the expected 2xx (503s included), with when it was sent. */
  failed: Array<{ at: number; status: number; instance: string }>;
  /** 503 answers (also in `failed`), counted apart as the issue asks for logouts. */
  unavailable: number;
}

export interface SessionLoad {
  stats: Record<Operation, OperationStats>;
  revocations: ProbeTally;
  /** Revocations acknowledged with a 204 so far. */
  revoked: RevokedToken[];
  stop(): Promise<void>;
}

interface LiveSession {
  sessionId: string;
  token: string;
  email: string;
}

/** How a worker picks its next request: mostly validations, like a real backend. */
function pickOperation(): Operation {
  const r = Math.random();
  if (r < 0.04) return 'login';
  if (r < 0.07) return 'refresh';
  if (r < 0.1) return 'logout';
  return 'validate';
}

/**
 * Runs `workers` request loops over both instances until `stop()`: validations of live sessions, logins,
 * refreshes (the pool keeps only the newest token, so no rotated-out token is ever presented) and logouts
 * (a 204 moves the token to `revoked`). A separate loop validates the newest revoked tokens on every instance
 * every 200 ms: a 200 more than 1 s after the 204 is a violation (`revocations.violations`).
 */
export function startSessionLoad(
  instances: Instance[],
  emails: string[],
  initial: LiveSession[],
  { workers = 4 }: { workers?: number } = {},
): SessionLoad {
  const fresh = (): OperationStats => ({ ok: 0, failed: [], unavailable: 0 });
  const stats: Record<Operation, OperationStats> = {
    validate: fresh(),
    login: fresh(),
    refresh: fresh(),
    logout: fresh(),
  };
  const revocations = emptyTally();
  const revoked: RevokedToken[] = [];
  const live: LiveSession[] = [...initial];
  let running = true;

  const record = (op: Operation, status: number, expected: number, instance: Instance, at: number) => {
    if (status === expected) stats[op].ok += 1;
    else {
      stats[op].failed.push({ at, status, instance: instance.name });
      if (status === 503) stats[op].unavailable += 1;
    }
  };
  const anyInstance = () => instances[Math.floor(Math.random() * instances.length)];
  const takeSession = () => (live.length > 4 ? live.splice(Math.floor(Math.random() * live.length), 1)[0] : undefined);

  const step = async (op: Operation): Promise<void> => {
    const instance = anyInstance();
    const at = Date.now();
    if (op === 'login') {
      const email = emails[Math.floor(Math.random() * emails.length)];
      const res = await instance.api('POST', '/v1/auth/login', { email, password: PASSWORD });
      record(op, res.status, 200, instance, at);
      if (res.status === 200) live.push({ sessionId: res.body.session.id, token: res.body.token, email });
      return;
    }
    if (op === 'validate') {
      const session = live[Math.floor(Math.random() * live.length)];
      if (!session) return;
      const res = await instance.api('GET', '/v1/auth/session', undefined, { token: session.token });
      // A refresh or logout in flight may have taken this token out of the pool meanwhile: not a failure.
      if (res.status !== 200 && !live.includes(session)) return;
      record(op, res.status, 200, instance, at);
      return;
    }
    const session = takeSession();
    if (!session) return;
    if (op === 'refresh') {
      const res = await instance.api('POST', '/v1/auth/session/refresh', undefined, { token: session.token });
      record(op, res.status, 200, instance, at);
      // After a failed refresh the old token may or may not have been rotated: leave the session alone.
      if (res.status === 200) live.push({ ...session, token: res.body.token });
      return;
    }
    const res = await instance.api('POST', '/v1/auth/logout', undefined, { token: session.token });
    record(op, res.status, 204, instance, at);
    if (res.status === 204) revoked.push({ sessionId: session.sessionId, token: session.token, ackAt: Date.now() });
  };

  const loops = Array.from({ length: workers }, async () => {
    while (running) await step(pickOperation()).catch(() => sleep(10));
  });
  const probe = (async () => {
    while (running) {
      await probeRevoked(instances, revoked.slice(-24), revocations).catch(() => {});
      await sleep(200);
    }
  })();

  return {
    stats,
    revocations,
    revoked,
    async stop() {
      running = false;
      await Promise.all([...loops, probe]);
      // Every revocation once more on every instance, now well after its ack.
      await sleep(1100);
      await probeRevoked(instances, revoked, revocations);
    },
  };
}

/** Total requests and failures of one operation. */
export const totals = (s: OperationStats): { requests: number; failed: number } => ({
  requests: s.ok + s.failed.length,
  failed: s.failed.length,
});

/** Failures sent within [from, to): the error window of one fault. */
export function errorWindow(
  stats: Record<Operation, OperationStats>,
  from: number,
  to: number,
): { failed: number; firstMs?: number; lastMs?: number } {
  const times = OPERATIONS.flatMap((op) => stats[op].failed.map((f) => f.at)).filter((t) => t >= from && t < to);
  if (times.length === 0) return { failed: 0 };
  return { failed: times.length, firstMs: Math.min(...times) - from, lastMs: Math.max(...times) - from };
}
