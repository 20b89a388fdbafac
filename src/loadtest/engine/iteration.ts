import { performance } from 'node:perf_hooks';
import type { Vu, ThreadShared } from './vu.js';
import type { Scenario } from '../scenarios/types.js';

/** One iteration: timed from its intended start (open model) or its actual start (closed). */
export async function runIteration(
  vu: Vu,
  scenario: Scenario,
  intendedStart: number | undefined,
  shared: ThreadShared,
): Promise<void> {
  const start = intendedStart ?? performance.now();
  vu.beginIteration(intendedStart);
  try {
    await scenario.iteration(vu);
    shared.recorder.current.recordIteration(Math.round((performance.now() - start) * 1000));
  } catch (error) {
    const counters = shared.recorder.current.counters;
    shared.recorder.current.count('iteration_errors');
    // Distinct messages are kept only while few, so a message with an id in it cannot grow memory.
    const key = `iteration_error: ${(error instanceof Error ? error.message : String(error)).slice(0, 80)}`;
    if (counters[key] !== undefined || Object.keys(counters).length < 50) shared.recorder.current.count(key);
  } finally {
    vu.endIteration();
  }
}
