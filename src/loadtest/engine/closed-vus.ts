import { performance } from 'node:perf_hooks';
import { totalDuration, valueAt } from './stages.js';
import { Vu, type ThreadShared } from './vu.js';
import type { Scenario } from '../scenarios/types.js';
import { runIteration } from './iteration.js';

/**
 * Closed model: N VUs loop (iteration, think time, repeat). Stages ramp N; VUs above the current
 * target finish their iteration and leave (k6's graceful ramp-down).
 */
export async function runClosedVus(
  shared: ThreadShared,
  scenario: Scenario,
  startedAt: number,
  vuIdBase: number,
  vuIdStride: number,
): Promise<Vu[]> {
  const { plan, recorder } = shared;
  const total = totalDuration(plan.stages);
  const vus: Vu[] = [];
  const loops: Promise<void>[] = [];
  let target = Math.round(valueAt(plan.start, plan.stages, 0));

  const loop = async (vu: Vu, index: number): Promise<void> => {
    recorder.vuStarted();
    try {
      while (!shared.stopped && index < target) {
        await runIteration(vu, scenario, undefined, shared);
        if (!shared.stopped) await vu.think();
      }
    } finally {
      recorder.vuStopped();
    }
  };
  const running = new Set<number>();
  const adjust = (): void => {
    const elapsed = performance.now() - startedAt;
    target = Math.round(valueAt(plan.start, plan.stages, Math.min(elapsed, total)));
    for (let i = 0; i < target; i++) {
      if (running.has(i)) continue;
      vus[i] ??= new Vu(vuIdBase + i * vuIdStride, shared);
      running.add(i);
      loops.push(loop(vus[i], i).finally(() => running.delete(i)));
    }
  };

  adjust();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (shared.stopped || performance.now() - startedAt >= total) {
        clearInterval(timer);
        resolve();
        return;
      }
      adjust();
    }, 100);
  });
  shared.stopped = true;
  await settle(loops, plan.gracefulStopMs);
  return vus.filter(Boolean);
}

/** Waits for in-flight iterations up to `graceMs`. */
export async function settle(loops: Promise<unknown>[], graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(loops), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
}
