export type OpKind =
  | 'login'
  | 'validate'
  | 'refresh'
  | 'logout'
  | 'logoutAll'
  | 'deleteSession'
  | 'passwordChange'
  | 'dataWrite'
  | 'roleChange';

/** One operation as the client saw it: when it was sent, when its answer arrived, what it said. */
export interface HistoryEntry {
  kind: OpKind;
  instance: string;
  sendAt: number;
  ackAt: number;
  /** HTTP status; 0 when the request itself failed. */
  status: number;
  userId: string;
  sessionId?: string;
  /** The token presented. */
  token?: string;
  /** login and refresh: the token issued. */
  newToken?: string;
  /** Revocations: the sessions this operation ends when it is acknowledged. */
  revokes?: string[];
  /** dataWrite: the version acknowledged; validate: the version served. */
  version?: number;
  /** roleChange: the roles set; validate: the roles served. */
  roles?: string[];
}

export const acknowledged = (e: HistoryEntry): boolean => e.status >= 200 && e.status < 300;

/** Every operation of a run, in the order their answers arrived. */
export class History {
  readonly entries: HistoryEntry[] = [];

  record(entry: HistoryEntry): HistoryEntry {
    this.entries.push(entry);
    return entry;
  }

  /** `kind status` → count, e.g. `validate 200: 812`. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const e of this.entries) {
      const key = `${e.kind} ${e.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }
}
