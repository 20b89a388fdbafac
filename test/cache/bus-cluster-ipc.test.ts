import cluster, { type Worker } from 'node:cluster';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayBusMessagesInPrimary } from '../../src/cache/bus-cluster-ipc.js';
import { createLocalBus } from '../../src/cache/bus-local.js';
import type { BusMessage } from '../../src/cache/types.js';
import { waitUntil } from '../helpers/poll.js';

describe('node:cluster IPC bus (real workers)', () => {
  let dir: string;
  let stopRelay: () => void;
  const workers: Worker[] = [];
  const received = new Map<Worker, BusMessage[]>();

  beforeAll(async () => {
    // Workers run plain JS: bundle the TypeScript fixture (and the bus it imports) once.
    dir = await mkdtemp(join(tmpdir(), 'tessera-ipc-'));
    const exec = join(dir, 'worker.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./fixtures/ipc-bus-worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: exec,
      logLevel: 'silent',
    });
    cluster.setupPrimary({ exec, silent: true });
    stopRelay = relayBusMessagesInPrimary(cluster);
    await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = cluster.fork();
            workers.push(worker);
            received.set(worker, []);
            worker.on('error', reject);
            worker.on('message', (m: { type: string; message?: BusMessage; connected?: boolean }) => {
              if (m.type === 'test:ready') {
                expect(m.connected).toBe(true);
                resolve();
              }
              if (m.type === 'test:received') received.get(worker)!.push(m.message!);
            });
          }),
      ),
    );
  });

  afterAll(async () => {
    stopRelay?.();
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((r) => {
            if (w.isDead()) return r(undefined);
            w.once('exit', r);
            w.kill();
          }),
      ),
    );
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('relays a worker message to every other worker, never back to the sender', async () => {
    const [w0, w1, w2] = workers;
    const first: BusMessage = { kind: 'revisions', revisions: [{ id: 's', revision: 2 }] };
    w0.send({ type: 'test:publish', message: first });
    await waitUntil(() => received.get(w1)!.length === 1 && received.get(w2)!.length === 1, 5000, 'w1 and w2 receive');
    const second: BusMessage = { kind: 'revisions', revisions: [{ id: 'u', revision: 7 }] };
    w1.send({ type: 'test:publish', message: second });
    await waitUntil(() => received.get(w0)!.length === 1 && received.get(w2)!.length === 2, 5000, 'w0 and w2 receive');
    // IPC from the primary to a worker keeps order: had w0's own message come back, it would be first here.
    expect(received.get(w0)).toEqual([second]);
    expect(received.get(w1)).toEqual([first]);
    expect(received.get(w2)).toEqual([first, second]);
  });

  it('ignores IPC messages that are not bus packets', async () => {
    const [w0, w1, w2] = workers;
    w0.send({ type: 'test:publish', message: { kind: 'bogus' } });
    w1.send({ type: 'test:publish', message: { kind: 'flush' } });
    await waitUntil(() => received.get(w0)!.length === 2, 5000, 'w0 receives the flush');
    expect(received.get(w0)!.at(-1)).toEqual({ kind: 'flush' });
    await waitUntil(() => received.get(w2)!.some((m) => m.kind === 'flush'), 5000, 'w2 receives the flush');
    expect(received.get(w2)!.map((m) => m.kind)).toEqual(['revisions', 'revisions', 'flush']);
  });
});

describe('local bus', () => {
  it('is always connected and publishing is a no-op', async () => {
    const bus = createLocalBus();
    const got: BusMessage[] = [];
    bus.subscribe((m) => got.push(m));
    await bus.publish({ kind: 'flush' });
    expect(bus.connected).toBe(true);
    expect(bus.lostAt).toBeUndefined();
    expect(got).toEqual([]);
    await bus.close();
  });
});
