import type { Instance } from '../../support/instances.js';
import type { HistoryEntry, OpKind } from '../history.js';
import type { World } from '../world.js';

export interface Call {
  kind: OpKind;
  instance: Instance;
  userId: string;
  method: string;
  route: string;
  body?: unknown;
  token?: string;
  sessionId?: string;
}

/** Sends one request and records it in the history with its send and answer times; the body is returned too. */
export async function call(
  world: World,
  c: Call,
  effects: (status: number, body: any) => Partial<HistoryEntry> = () => ({}),
): Promise<{ entry: HistoryEntry; body: any }> {
  const sendAt = Date.now();
  let status = 0;
  let body: any;
  try {
    const res = await c.instance.api(c.method, c.route, c.body, { token: c.token });
    status = res.status;
    body = res.body;
  } catch {
    /* connection refused or reset: recorded as status 0 */
  }
  const entry = world.history.record({
    kind: c.kind,
    instance: c.instance.name,
    sendAt,
    ackAt: Date.now(),
    status,
    userId: c.userId,
    sessionId: c.sessionId,
    token: c.token,
    ...effects(status, body),
  });
  return { entry, body };
}

/** Neither acknowledged nor refused: the write may or may not have happened. */
export const indeterminate = (status: number): boolean => status === 0 || status >= 500;
