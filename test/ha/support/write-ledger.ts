import { PASSWORD, uniqueEmail } from '../../helpers/tessera.js';
import type { Api } from '../../coherence/support/instances.js';
import { sleep } from '../../coherence/support/trials.js';

/** A session as acknowledged so far: its newest acknowledged token and `data` version, and whether it was revoked. */
interface LedgerSession {
  sessionId: string;
  email: string;
  token: string;
  /** The `data` version to write against: the login's, then each acknowledged write's. */
  version: number;
  /** Newest `data` write answered 200: its version and a marker it carried. */
  data?: { version: number; marker: number };
  loggedOut: boolean;
  /** A request on it got no answer or a 5xx: what it did is unknown, so it is not used again. */
  uncertain: boolean;
}

export interface WriteLedger {
  signups: string[];
  sessions: LedgerSession[];
  /** `data` writes answered 200. */
  dataWrites: number;
  /** Answers by status, and requests that got no answer at all (connection refused or reset). */
  statuses: Record<string, number>;
  /** Answers that are neither the expected 2xx nor 503 (e.g. a 500): the outage must answer 503. */
  unexpected: Array<{ op: string; status: number }>;
}

export interface WriteLoad {
  ledger: WriteLedger;
  /** 503s and connection failures (no answer) over time, for the error window. */
  errors: number[];
  stop(): Promise<void>;
}

let marker = 0;

/**
 * Sends signups, logins, refreshes, `data` writes and logouts one after another through `api()` (a getter, so a
 * restarted instance can take over) until `stop()`, and records every write answered with a 2xx in the ledger.
 */
export function startWriteLoad(api: () => Api, { workers = 3 }: { workers?: number } = {}): WriteLoad {
  const ledger: WriteLedger = { signups: [], sessions: [], dataWrites: 0, statuses: {}, unexpected: [] };
  const errors: number[] = [];
  let running = true;

  const call = async (op: string, expected: number, ...args: Parameters<Api>) => {
    const at = Date.now();
    const res = await api()(...args).catch(() => undefined);
    const status = res?.status ?? 0;
    ledger.statuses[status === 0 ? 'no answer' : status] =
      (ledger.statuses[status === 0 ? 'no answer' : status] ?? 0) + 1;
    if (status === 0 || status === 503) errors.push(at);
    else if (status !== expected) ledger.unexpected.push({ op, status });
    return status === expected ? res : undefined;
  };
  const usable = () => ledger.sessions.filter((s) => !s.loggedOut && !s.uncertain);
  const busy = new Set<LedgerSession>();

  const step = async () => {
    const r = Math.random();
    if (r < 0.2 || ledger.signups.length < 3) {
      const email = uniqueEmail('ha-write');
      if (await call('signup', 201, 'POST', '/v1/auth/signup', { email, password: PASSWORD }))
        ledger.signups.push(email);
      return;
    }
    if (r < 0.4 || usable().length < 3) {
      const email = ledger.signups[Math.floor(Math.random() * ledger.signups.length)];
      const res = await call('login', 200, 'POST', '/v1/auth/login', { email, password: PASSWORD });
      if (res)
        ledger.sessions.push({
          sessionId: res.body.session.id,
          email,
          token: res.body.token,
          version: res.body.session.version,
          loggedOut: false,
          uncertain: false,
        });
      return;
    }
    const candidates = usable().filter((s) => !busy.has(s));
    const session = candidates[Math.floor(Math.random() * candidates.length)];
    if (!session) return;
    busy.add(session);
    try {
      const token = session.token;
      if (r < 0.55) {
        const res = await call('refresh', 200, 'POST', '/v1/auth/session/refresh', undefined, { token });
        if (res) session.token = res.body.token;
        else session.uncertain = true;
      } else if (r < 0.9) {
        const version = session.version;
        const mark = (marker += 1);
        const res = await call('data', 200, 'PATCH', '/v1/auth/session/data', { data: { mark }, version }, { token });
        if (res) {
          session.data = { version: res.body.version, marker: mark };
          session.version = res.body.version;
          ledger.dataWrites += 1;
        } else session.uncertain = true;
      } else {
        const res = await call('logout', 204, 'POST', '/v1/auth/logout', undefined, { token });
        if (res) session.loggedOut = true;
        else session.uncertain = true;
      }
    } finally {
      busy.delete(session);
    }
  };

  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      await step().catch(() => sleep(20));
      await sleep(10);
    }
  });
  return {
    ledger,
    errors,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/**
 * Checks that every acknowledged write is there and consistent: each acknowledged signup logs in, each session
 * logged out (204) is refused, each other session validates with its newest acknowledged token and shows its
 * newest acknowledged `data` (a session whose last request got no answer is left out: what it did is unknown).
 * Returns what is wrong, empty when all holds.
 */
export async function verifyLedger(api: Api, ledger: WriteLedger): Promise<string[]> {
  const problems: string[] = [];
  for (const email of ledger.signups) {
    const res = await api('POST', '/v1/auth/login', { email, password: PASSWORD });
    if (res.status !== 200) problems.push(`signup of ${email} acknowledged, login answers ${res.status}`);
  }
  for (const s of ledger.sessions) {
    if (s.uncertain) continue;
    const res = await api('GET', '/v1/auth/session', undefined, { token: s.token });
    if (s.loggedOut) {
      if (res.status !== 401) problems.push(`session ${s.sessionId} logged out (204), validates with ${res.status}`);
      continue;
    }
    if (res.status !== 200) {
      problems.push(`session ${s.sessionId} acknowledged, validates with ${res.status}`);
      continue;
    }
    const { data, version } = res.body.session as { data: { mark?: number }; version: number };
    if (s.data && (version !== s.data.version || data.mark !== s.data.marker))
      problems.push(
        `session ${s.sessionId}: data write v${s.data.version} (mark ${s.data.marker}) acknowledged, stored v${version} (mark ${data.mark})`,
      );
  }
  return problems;
}

/** How many writes the ledger holds, for the log line. */
export const ledgerSize = (l: WriteLedger) => ({
  signups: l.signups.length,
  sessions: l.sessions.length,
  dataWrites: l.dataWrites,
  logouts: l.sessions.filter((s) => s.loggedOut).length,
});
