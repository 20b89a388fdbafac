/** Bounds of a load test run by the server: it must never become a way to take the server (or a host) down. */
export const LOADTEST_LIMITS = Object.freeze({
  /** Longest run, suites included. */
  maxDurationMs: 10 * 60_000,
  /** Most virtual users (closed model), and the VU cap of the open model. */
  maxVus: 200,
  /** Highest arrival rate (iterations per second, open model). */
  maxRate: 1000,
  maxThresholds: 20,
  /** Runs kept in the database (newest first); older ones are deleted as new ones start. */
  keepRuns: 100,
  /** Baselines kept (newest first). */
  keepBaselines: 50,
});

/** How often the running instance writes its heartbeat (and reads a stop asked for on another instance). */
export const HEARTBEAT_MS = 2_000;
/** A running run whose heartbeat is older than this lost its instance: it ends as `error`. */
export const STALE_AFTER_MS = 30_000;
