import { performance } from 'node:perf_hooks';
import { totalDuration, valueAt } from './stages.js';
import { Vu, type ThreadShared } from './vu.js';
import type { Scenario } from '../scenarios/types.js';
import { runIteration } from './iteration.js';
import { settle } from './closed-vus.js';

/**
 * Open model: iterations arrive at a set rate (per second, ramped by stages) whatever the target
 * does. Each arrival takes an idle VU, or a new one up to the cap; otherwise it is dropped and
 * counted. Arrival times are exact, so an iteration that starts late is timed from when it should
 * have started.
 */
export async function runOpenRate(
  shared: ThreadShared,
  scenario: Scenario,
  startedAt: number,
  vuIdBase: number,
  vuIdStride: number,
): Promise<Vu[]> {
  const { plan, recorder } = shared;
  const total = totalDuration(plan.stages);
  const all: Vu[] = [];
  const idle: Vu[] = [];
  const inflight = new Set<Promise<void>>();
  const newVu = (): Vu => {
    const vu = new Vu(vuIdBase + all.length * vuIdStride, shared);
    all.push(vu);
    return vu;
  };
  for (let i = 0; i < plan.preAllocatedVus && i < plan.maxVus; i++) idle.push(newVu());

  const arrive = (intendedAbs: number): void => {
    const vu = idle.pop() ?? (all.length < plan.maxVus ? newVu() : undefined);
    if (!vu) {
      recorder.current.dropped++;
      return;
    }
    recorder.vuStarted();
    const run = runIteration(vu, scenario, intendedAbs, shared).finally(() => {
      recorder.vuStopped();
      inflight.delete(run);
      idle.push(vu);
    });
    inflight.add(run);
  };

  // Arrivals follow the integral of the (ramping) rate, walked in 1 ms steps: each arrival gets
  // its exact intended time, even when a late timer makes one tick release several.
  let cursor = 0;
  let owed = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const until = Math.min(performance.now() - startedAt, total);
      let perMs = 0;
      while (cursor < until && !shared.stopped) {
        const dt = Math.min(1, until - cursor);
        perMs = valueAt(plan.start, plan.stages, cursor + dt / 2) / 1000;
        let t = cursor;
        let left = dt;
        if (perMs > 0) {
          while (perMs * left >= 1 - owed) {
            const step = (1 - owed) / perMs;
            t += step;
            left -= step;
            owed = 0;
            arrive(startedAt + t);
          }
          owed += perMs * left;
        }
        cursor += dt;
      }
      if (shared.stopped || cursor >= total) {
        resolve();
        return;
      }
      const wait = perMs > 0 ? (1 - owed) / perMs : 10;
      setTimeout(tick, Math.max(1, Math.min(wait, 50)));
    };
    tick();
  });
  // Wait out the planned duration (arrivals may have ended early at a rate of 0).
  while (!shared.stopped && performance.now() - startedAt < total)
    await new Promise((r) => setTimeout(r, Math.min(100, total - (performance.now() - startedAt))));
  shared.stopped = true;
  await settle([...inflight], plan.gracefulStopMs);
  return all;
}
