import { Worker } from 'node:worker_threads';
import { MetricsSet, type MetricsWire } from '../metrics/metrics-set.js';
import type { RunPlan } from '../types.js';
import { scaleStages, shareOf } from './stages.js';
import type { ThreadControl } from './thread-runner.js';

/** This thread's share of the plan: VUs and rates split so the threads add up to the whole. */
export function planShare(plan: RunPlan, part: number, parts: number): RunPlan {
  const integer = plan.model === 'closed';
  return {
    ...plan,
    start: shareOf(plan.start, part, parts, integer),
    stages: scaleStages(plan.stages, part, parts, integer),
    maxVus: Math.max(1, shareOf(plan.maxVus, part, parts, true)),
    preAllocatedVus: shareOf(plan.preAllocatedVus, part, parts, true),
    ...(plan.requests !== undefined ? { requests: shareOf(plan.requests, part, parts, true) } : {}),
  };
}

/** Starts N worker threads; each second's MetricsSet of each thread reaches `onSecond` decoded, exactly. */
export function runWorkers(
  plan: RunPlan,
  parts: number,
  onSecond: (second: MetricsSet) => void,
  onLag: (p99: number, max: number, elu: number, part: number) => void,
): ThreadControl {
  const workers: Worker[] = [];
  const finished: Promise<void>[] = [];
  for (let part = 0; part < parts; part++) {
    const worker = new Worker(new URL('./worker-entry.js', import.meta.url), {
      workerData: { plan: planShare(plan, part, parts), part, parts },
    });
    workers.push(worker);
    finished.push(
      new Promise<void>((resolve, reject) => {
        worker.on(
          'message',
          (message: { type: string; wire?: MetricsWire; p99?: number; max?: number; elu?: number }) => {
            if (message.type === 'second') onSecond(MetricsSet.fromWire(message.wire!));
            else if (message.type === 'lag') onLag(message.p99 ?? 0, message.max ?? 0, message.elu ?? 0, part);
          },
        );
        worker.on('error', reject);
        worker.on('exit', () => resolve());
      }),
    );
  }
  return {
    stop: () => {
      for (const worker of workers) worker.postMessage({ type: 'stop' });
    },
    done: Promise.all(finished).then(() => undefined),
  };
}
