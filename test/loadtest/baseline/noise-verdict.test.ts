import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareToBaseline } from '../../../src/loadtest/baseline/compare.js';
import { bootstrapChange } from '../../../src/loadtest/baseline/noise.js';
import { runQuiet } from '../helpers.js';

/** A node:http server in its own process that answers after a `delayMs` timer. */
async function delayServer(delayMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s=require('http').createServer((q,r)=>setTimeout(()=>r.end('ok'),${delayMs}));s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${line.toString().trim()}/`, child };
}

const run = (url: string) => runQuiet({ url, vus: '4', duration: '7s' });

let fast: { url: string; child: ChildProcess };
let slow: { url: string; child: ChildProcess };
beforeAll(async () => {
  // 1.5× slower, in delays long enough that the scheduling noise of a machine running other tests (a few ms) does
  // not drown the difference: 30 ms against 20 ms.
  [fast, slow] = await Promise.all([delayServer(20), delayServer(30)]);
});
afterAll(() => {
  fast?.child.kill();
  slow?.child.kill();
});

describe('noise-aware baseline verdicts', () => {
  it('the bootstrap interval covers no change for two samples of one distribution and excludes it for a shift', () => {
    const same = bootstrapChange([10, 12, 11, 30, 10, 11, 12, 10], [11, 10, 12, 11, 10, 25, 11, 12]);
    expect(same.ciLowPct).toBeLessThanOrEqual(0);
    expect(same.ciHighPct).toBeGreaterThanOrEqual(0);
    const shifted = bootstrapChange([10, 12, 11, 10, 11, 12, 10, 11], [15, 16, 15, 17, 16, 15, 16, 15]);
    expect(shifted.changePct).toBeCloseTo(40.9, 0);
    expect(shifted.ciLowPct).toBeGreaterThan(25);
  });

  it('the same target compared with itself passes while a busy loop occupies both cores; a 30 ms target against a 20 ms one (1.5×) is flagged', async () => {
    // The self-comparison: both runs while a busy loop occupies both cores (the machine loaded the same way).
    const busy = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    let baseline;
    let again;
    try {
      baseline = await run(fast.url);
      again = await run(fast.url);
    } finally {
      for (const b of busy) b.kill();
    }
    const self = compareToBaseline(again, baseline, 25, 'base.json');
    const p50 = self.verdicts.find((v) => v.metric === 'http_req_duration p(50)')!;
    expect(p50.ciPct).toHaveLength(2);
    expect(p50.method).toMatch(/one-second windows/);
    expect(self.verdicts.filter((v) => v.regressed)).toEqual([]);
    expect(self.regressed).toBe(false);

    // The slow-down: 30 ms against 20 ms, both without the extra loop.
    const slower = compareToBaseline(await run(slow.url), await run(fast.url), 25, 'base.json');
    const latency = slower.verdicts.find((v) => v.metric === 'http_req_duration p(50)')!;
    expect(latency.changePct).toBeGreaterThan(25);
    expect(latency.ciPct![0]).toBeGreaterThan(25);
    expect(latency.regressed).toBe(true);
    expect(slower.regressed).toBe(true);
  }, 120_000);
});
