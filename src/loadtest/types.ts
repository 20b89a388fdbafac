import type { Stage } from './engine/stages.js';
import type { Threshold } from './thresholds/types.js';

export type ScenarioRef =
  | { kind: 'builtin'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'module'; path: string }
  | { kind: 'url'; url: string; method: string; headers: Record<string, string>; body?: string };

/** Everything a thread needs to run its share of the test. Plain data: it crosses into worker threads. */
export interface RunPlan {
  scenario: ScenarioRef;
  /** Base URL the scenario's relative paths resolve against. */
  target: string;
  model: 'closed' | 'open';
  /** Starting VUs (closed) or iterations/s (open), then the ramps. */
  start: number;
  stages: Stage[];
  /** Open model: the VU cap (iterations beyond it are dropped). */
  maxVus: number;
  preAllocatedVus: number;
  /** Think time between requests and after each closed-model iteration: [min, max] ms. */
  thinkMs: [number, number];
  /** Users seeded before the run (lt-user-N@loadtest.local). */
  users: number;
  password: string;
  timeoutMs: number;
  /** How long in-flight iterations may finish after the end (or an abort). */
  gracefulStopMs: number;
  /** What the scenario's setup() returned in the main thread; reaches every VU. */
  setupData?: unknown;
}

/** The full, validated configuration of one run (plan plus what only the main thread uses). */
export interface RunConfig {
  plan: RunPlan;
  thresholds: Threshold[];
  workers: number;
  /** Run the load in worker threads even for one worker (a run from the server: the server keeps the main event loop). */
  threaded?: boolean;
  /** The target's process id when the load tester started the target itself (--self), for the report. */
  targetPid?: number;
  profile?: string;
  /** Breakpoint search: abort on the first failed threshold and report the highest sustainable rate. */
  breakpoint: boolean;
  scrapeTargetMetrics: boolean;
  /** The target's METRICS_TOKEN, sent as a Bearer token when scraping its /metrics (never written to reports). */
  metricsToken?: string;
  label?: string;
}

export const DEFAULT_PASSWORD = 'LoadTest-Passw0rd!';

export function userEmail(n: number): string {
  return `lt-user-${n}@loadtest.local`;
}
