/** One load run: what autocannon is pointed at, and for how long. */
export interface LoadRequest {
  url: string;
  headers: Record<string, string>;
  /** GET unless set (the login suite POSTs a JSON body). */
  method?: 'GET' | 'POST';
  body?: string;
  /** One header set per distinct session: requests cycle through them (merged over `headers`). */
  sessions?: Array<Record<string, string>>;
  connections: number;
  durationSec: number;
  /** The CPU the generator is pinned to (taskset), when the bench pins. */
  cpu?: number;
}

/** The load generators the bench can drive: wrk when installed (cheaper per request), autocannon otherwise. */
export type GeneratorName = 'wrk' | 'autocannon';

export interface LoadResult {
  reqPerSec: number;
  /** Latency percentiles in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU time the server process spent per request (µs): steadier than req/s on a shared machine. */
  cpuMicrosPerRequest?: number;
}

/** A response captured from the real server, replayed byte for byte by the bare baselines. */
export interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A running target, as its process reports it: where to send load and how to authenticate. */
export interface TargetInfo {
  url: string;
  headers: Record<string, string>;
  /** GET unless set; a POST sends `body` with every request. */
  method?: 'GET' | 'POST';
  body?: string;
  captured?: CapturedResponse;
  /** Headers of each distinct session the load cycles through (set by the driver once signed in). */
  sessions?: Array<Record<string, string>>;
  /** Whether the target process can open more sessions itself (older builds cannot: their load uses one). */
  canMint?: boolean;
  /** Set by targets that need a session: the driver signs in (log-in.ts) before load. */
  login?: 'tessera' | 'express-session';
}

export interface BenchSettings {
  rounds: number;
  durationSec: number;
  connections: number;
  /** Distinct sessions the session-validating targets are loaded with (`--sessions`, default 10 000). */
  sessions: number;
  /** The load generator used (`--generator`; auto picks wrk when installed). */
  generator: GeneratorName;
  /**
   * Core pinning (taskset) when the machine has two cores or more and taskset is installed: every target on
   * `serverCpu`, the load generator on `generatorCpu`. Undefined: nothing pinned.
   */
  pinning?: { serverCpu: number; generatorCpu: number };
  /** Directory for V8 CPU profiles of the server processes (node --cpu-prof), when set. */
  profileDir?: string;
  /** Environment added to every Tessera target's own (e.g. NODE_ENV=production), from `--target-env`. */
  targetEnv?: Record<string, string>;
  /** Another Tessera build (its dist/ directory) measured beside this one, interleaved, in the Tessera suites. */
  against?: { distDir: string; label: string };
  /** Redis and PostgreSQL the service-backed suites use (from REDIS_URL / DATABASE_URL). */
  redisUrl?: string;
  databaseUrl?: string;
  /** The warm suite's workload: active sessions, validations per second, measured window (seconds). */
  warm?: { sessions?: number; rate?: number; windowSec?: number };
  /** Prints progress lines (to stderr). */
  log: (line: string) => void;
}

export interface SuiteResult {
  suite: string;
  title: string;
  /** Column keys of `rows` in display order, with their headings. */
  columns: Array<[key: string, heading: string]>;
  rows: Array<Record<string, string | number | null>>;
  /** Headline figures (e.g. the hot-path ratio) kept at the top level of the suite's JSON. */
  summary?: Record<string, unknown>;
  notes: string[];
  /** Parts of the suite left out, each with the reason (a missing service). */
  skipped: string[];
}
