import type { Vu } from '../engine/vu.js';
import type { MetricsSet } from '../metrics/metrics-set.js';
import type { RunPlan } from '../types.js';

export interface SetupContext {
  plan: RunPlan;
  log(line: string): void;
}

/** A workload: what one iteration of one VU does. */
export interface Scenario {
  name: string;
  description: string;
  /** Seed lt-user-N@loadtest.local accounts before the run. */
  needsUsers: boolean;
  /** Runs once in the main thread before the VUs start; its result reaches every VU as `vu.setupData`. */
  setup?(ctx: SetupContext): Promise<unknown>;
  iteration(vu: Vu): Promise<void>;
  /** Scenario-specific results for the report (hit rate, blocked share…). */
  results?(totals: MetricsSet): Record<string, number | string>;
  /** When present, a closed-model run uses this callback-driven loop instead of iteration() (see url.ts). */
  fastLoop?: boolean;
}
