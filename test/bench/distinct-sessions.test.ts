import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/server-process.js';
import type * as Targets from '../../src/bench/targets.js';

// The built bench (its target processes are forked from dist/, as `tessera bench` runs them).
const dist = path.dirname(path.dirname(CLI));
const { startTarget, stopAll } = (await import(path.join(dist, 'bench/targets.js'))) as typeof Targets;
type Handle = Awaited<ReturnType<typeof startTarget>>;

const started: Handle[] = [];
afterAll(() => stopAll(started));

async function statuses(handle: Handle): Promise<number[]> {
  const out: number[] = [];
  for (const headers of handle.info.sessions ?? []) {
    const res = await fetch(handle.info.url, { headers: { ...handle.info.headers, ...headers } });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

describe('bench targets load many distinct sessions', () => {
  it('Tessera, express-session and the Lucia-style peer each open N distinct sessions that all validate', async () => {
    const tessera = await startTarget('tessera', { kind: 'tessera', env: {} }, { sessions: 7 });
    started.push(tessera);
    const captured = tessera.info.captured!;
    const peers = await Promise.all([
      startTarget(
        'express',
        { kind: 'express-session', keyPrefix: 'x', payload: JSON.parse(captured.body) },
        { sessions: 7 },
      ),
      startTarget('lucia', { kind: 'lucia-style', response: captured }, { sessions: 7 }),
    ]);
    started.push(...peers);
    for (const handle of [tessera, ...peers]) {
      const sessions = handle.info.sessions ?? [];
      expect(sessions, handle.name).toHaveLength(7);
      expect(new Set(sessions.map((s) => JSON.stringify(s))).size, handle.name).toBe(7);
      expect(await statuses(handle), handle.name).toEqual(Array(7).fill(200));
    }
    // A made-up session is refused: the peers look the session up, they do not answer every request.
    for (const handle of peers) {
      const wrong = Object.fromEntries(Object.entries(handle.info.sessions![0]).map(([k, v]) => [k, `${v}x`]));
      const res = await fetch(handle.info.url, { headers: wrong });
      await res.arrayBuffer();
      expect(res.status, handle.name).toBe(401);
    }
  }, 60_000);
});
