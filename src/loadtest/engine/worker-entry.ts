import { parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { runThread } from './thread-runner.js';
import { resolveScenario } from '../scenarios/registry.js';
import type { RunPlan } from '../types.js';

/** A load-generating thread: runs its share and posts every second's metrics (encoded histograms) to the main thread. */
const { plan, part, parts } = workerData as { plan: RunPlan; part: number; parts: number };
const port = parentPort!;
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const elu0 = performance.eventLoopUtilization();
const scenario = await resolveScenario(plan.scenario);
const control = runThread(plan, scenario, part, parts, (second) => {
  port.postMessage({ type: 'second', wire: second.toWire() });
  port.postMessage({
    type: 'lag',
    p99: delay.count ? delay.percentile(99) / 1e6 : 0,
    max: delay.count ? delay.max / 1e6 : 0,
    elu: performance.eventLoopUtilization(elu0).utilization,
  });
});
port.on('message', (message: { type: string }) => {
  if (message.type === 'stop') control.stop();
});
await control.done;
delay.disable();
port.postMessage({ type: 'done' });
port.close();
// Whatever a scenario left behind (timers, sockets) must not keep the thread alive.
setTimeout(() => process.exit(0), 1000).unref();
