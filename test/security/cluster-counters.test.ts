import cluster, { type Worker } from 'node:cluster';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterCounters } from '../../src/security/limiter.js';

describe('embedded serve --workers: one set of rate-limit counters in the primary (real workers)', () => {
  let dir: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-rl-'));
    const exec = join(dir, 'worker.cjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./fixtures/cluster-limits-worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: exec,
      logLevel: 'silent',
    });
    startClusterCounters();
    cluster.setupPrimary({ exec, silent: true });
    await Promise.all(
      [0, 1].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const worker = cluster.fork();
            workers.push(worker);
            worker.on('error', reject);
            worker.on('message', (m: { type: string }) => m.type === 'test:ready' && resolve());
          }),
      ),
    );
  });

  afterAll(async () => {
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
    await rm(dir, { recursive: true, force: true });
  });

  const consume = (worker: Worker, n: number) =>
    new Promise<boolean[]>((resolve) => {
      const onMessage = (m: { type: string; allowed: boolean[] }) => {
        if (m.type !== 'test:consumed') return;
        worker.off('message', onMessage);
        resolve(m.allowed);
      };
      worker.on('message', onMessage);
      worker.send({ type: 'test:consume', n });
    });

  it('two workers share one login limit of 5', async () => {
    const first = await consume(workers[0], 4);
    const second = await consume(workers[1], 4);
    expect(first).toEqual([true, true, true, true]);
    expect(second).toEqual([true, false, false, false]);
  });
});
