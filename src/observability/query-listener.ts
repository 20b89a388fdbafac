import type { QueryListener } from '../store/query-monitor.js';
import type { Metrics } from './metrics.js';

export interface SlowQueryLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Every query the store runs → the statement-duration histogram and the recorder; those over `slowMs` are also
 * counted and logged with their statement name and duration (never their SQL parameters). The log is held to one
 * line per statement per `logEveryMs`, which carries how many more there were, so a slow database cannot flood it.
 */
export function queryMetricsListener(
  metrics: Metrics,
  logger: SlowQueryLogger,
  slowMs: number,
  logEveryMs = 10_000,
  now: () => number = Date.now,
): QueryListener {
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  return (statement, ms, failed) => {
    const slow = ms >= slowMs;
    metrics.dbQuery(statement, ms / 1000, slow);
    if (!slow) return;
    const t = now();
    const last = lastLogged.get(statement);
    if (last && t - last.at < logEveryMs) {
      last.suppressed++;
      return;
    }
    logger.warn(
      {
        statement,
        durationMs: Math.round(ms * 10) / 10,
        thresholdMs: slowMs,
        ...(failed ? { failed: true } : {}),
        ...(last?.suppressed ? { alsoSlowSinceLastLine: last.suppressed } : {}),
      },
      'slow database query',
    );
    if (lastLogged.size < 1000 || last) lastLogged.set(statement, { at: t, suppressed: 0 });
  };
}
