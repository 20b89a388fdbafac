import type { Api, Instance } from '../support/instances.js';
import type { History } from './history.js';
import type { Prng } from './prng.js';

export interface ModelSession {
  id: string;
  token: string;
  /** Tokens rotated out, with the client time their refresh was sent (their grace runs from before it was acked). */
  rotated: Array<{ token: string; refreshSentAt: number }>;
  /** What the client believes: false once a revocation of it was acknowledged. */
  live: boolean;
  /** A write on it answered neither yes nor no (503, dropped): the client no longer knows its token. */
  uncertain: boolean;
}

export interface ModelUser {
  id: string;
  email: string;
  password: string;
  sessions: ModelSession[];
  /** A password change answered neither yes nor no: leave this user alone. */
  frozen: boolean;
  /** Mutations of one user run one at a time, so what each one revokes is known exactly. */
  lock: Promise<unknown>;
}

/** What the test client knows: users, their sessions and tokens, the admin's token. */
export interface World {
  users: ModelUser[];
  instances: Instance[];
  history: History;
  prng: Prng;
  rotationGraceMs: number;
  admin: { token: string; api: Api; email: string; password: string };
  roleCounter: number;
}

/** Runs `work` once every earlier mutation of `user` has finished. */
export function withUser<T>(user: ModelUser, work: () => Promise<T>): Promise<T> {
  const run = user.lock.then(work, work);
  user.lock = run.catch(() => {});
  return run;
}

export const liveSessions = (user: ModelUser): ModelSession[] => user.sessions.filter((s) => s.live && !s.uncertain);
