import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { Recorder } from './recorder.js';
import { runClosedVus } from './closed-vus.js';
import { runOpenRate } from './open-rate.js';
import { FastUrlLoop } from './fast-url-loop.js';
import type { ThreadShared, Vu } from './vu.js';
import type { MetricsSet } from '../metrics/metrics-set.js';
import type { Scenario } from '../scenarios/types.js';
import type { RunPlan } from '../types.js';

export interface ThreadControl {
  stop(): void;
  done: Promise<void>;
}

/**
 * Runs this thread's share of a plan. Every second the recorded MetricsSet is handed to
 * `onSecond` (the aggregate in the main thread, or a postMessage in a worker).
 */
export function runThread(
  plan: RunPlan,
  scenario: Scenario,
  part: number,
  parts: number,
  onSecond: (second: MetricsSet) => void,
): ThreadControl {
  const recorder = new Recorder();
  const other = new Agent({ pipelining: 1, keepAliveTimeout: 30_000 });
  const startedAt = performance.now();
  const shared: ThreadShared = {
    plan,
    recorder,
    other,
    part,
    parts,
    stopped: false,
    startedAt,
    budget: plan.requests ?? Infinity,
  };
  const ticker = setInterval(() => onSecond(recorder.swap()), 1000);

  const done = (async () => {
    let vus: Vu[] = [];
    try {
      if (scenario.fastLoop && plan.model === 'closed' && plan.thinkMs[1] <= 0 && plan.scenario.kind === 'url') {
        await new FastUrlLoop(shared, plan.scenario).run(startedAt);
      } else if (plan.model === 'closed') {
        vus = await runClosedVus(shared, scenario, startedAt, part, parts);
      } else {
        vus = await runOpenRate(shared, scenario, startedAt, part, parts);
      }
    } finally {
      clearInterval(ticker);
      onSecond(recorder.swap());
      await Promise.all(vus.map((vu) => vu.destroy()));
      await other.destroy().catch(() => undefined);
    }
  })();
  return {
    stop: () => {
      shared.stopped = true;
    },
    done,
  };
}
