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
  /** --mix: operation weights of the `mix` scenario. */
  mix?: Partial<Record<'read' | 'write' | 'delete' | 'invalidate', number>>;
  /** -n/--requests: the run ends once this many requests were sent (iterations in flight finish). */
  requests?: number;
  /** bruteforce / bot: the attacking clients beside the legitimate users (see scenarios/attack-population.ts). */
  attack?: AttackPlan;
  /** What the scenario's setup() returned in the main thread; reaches every VU. */
  setupData?: unknown;
}

export interface AttackPlan {
  /** Attackers (bruteforce) or bots (bot): VUs 0..clients-1, each one stable client address. */
  clients: number;
  /** Requests per second each client sends. */
  perSec: number;
  /** Legitimate users: VUs clients..clients+legit-1, each logging in as its own account from its own address. */
  legit: number;
  /** Seeded accounts lt-user-(legit+1)..(legit+targets) the attack aims at (legit users never use them). */
  targets: number;
  /** 0-255, different each run: addresses are fresh, so an earlier run's bans do not carry over. */
  nonce: number;
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
  /** An admin of the target: users are seeded through POST /v1/admin/users/bulk (never written to reports). */
  seedAdmin?: { email: string; password: string };
  /** The target's METRICS_TOKEN, sent as a Bearer token when scraping its /metrics (never written to reports). */
  metricsToken?: string;
  label?: string;
}

export const DEFAULT_PASSWORD = 'LoadTest-Passw0rd!';

export function userEmail(n: number): string {
  return `lt-user-${n}@loadtest.local`;
}
