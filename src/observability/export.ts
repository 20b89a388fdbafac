import type { AggregateView } from './aggregate.js';

/** History exports: JSON (the points as the API serves them), CSV (one row a minute), Prometheus text with timestamps. */
export function exportJson(
  points: AggregateView[],
  meta: Record<string, unknown>,
): { meta: Record<string, unknown>; points: AggregateView[] } {
  return { meta: { ...meta, stepMs: 60_000, count: points.length }, points };
}

const COLUMNS: Array<[string, (p: AggregateView) => number | null]> = [
  ['requests', (p) => p.requests],
  ['errors', (p) => p.errors],
  ['requests_per_sec', (p) => p.requestsPerSec],
  ['error_rate', (p) => p.errorRate],
  ['p50_ms', (p) => p.p50Ms],
  ['p95_ms', (p) => p.p95Ms],
  ['p99_ms', (p) => p.p99Ms],
  ['l1_hit_rate', (p) => p.hitRate.l1],
  ['l2_hit_rate', (p) => p.hitRate.l2],
  ['db_hit_rate', (p) => p.hitRate.db],
  ['cache_hit_rate', (p) => p.hitRate.overall],
  ['session_writes', (p) => p.sessionWrites],
  ['session_writes_skipped', (p) => p.sessionWritesSkipped],
  ['redis_p99_ms', (p) => p.redisP99Ms],
  ['db_p99_ms', (p) => p.dbP99Ms],
  ['event_loop_lag_ms', (p) => p.eventLoopLagMs],
  ['rss_bytes', (p) => p.rssBytes],
  ['cpu_percent', (p) => p.cpuPercent],
  ['instances', (p) => p.instances],
  ['client_errors', (p) => p.clientErrors],
  ['timeouts', (p) => p.timeouts],
  ['slow_queries', (p) => p.slowQueries],
  ['avg_ms', (p) => p.avgMs],
  ['db_pool_waiting', (p) => p.levels.dbPoolWaiting ?? null],
  ['db_pool_total', (p) => p.levels.dbPoolTotal ?? null],
  ['expired_sessions', (p) => p.levels.expiredSessions ?? null],
  ['sessions_table_bytes', (p) => p.levels.sessionsTableBytes ?? null],
  ['redis_memory_bytes', (p) => p.levels.redisMemoryBytes ?? null],
  ['redis_evicted_keys', (p) => p.levels.redisEvictedKeys ?? null],
  ['redis_keys', (p) => p.levels.redisKeys ?? null],
];

export function exportCsv(points: AggregateView[]): string {
  const lines = [['time', ...COLUMNS.map(([name]) => name)].join(',')];
  for (const p of points)
    lines.push([new Date(p.t).toISOString(), ...COLUMNS.map(([, get]) => get(p) ?? '')].join(','));
  return `${lines.join('\n')}\n`;
}

/** One gauge family per column (tessera_history_*), each sample stamped with its minute (ms). */
export function exportPrometheus(points: AggregateView[]): string {
  const out: string[] = [];
  for (const [name, get] of COLUMNS) {
    const metric = `tessera_history_${name}`;
    out.push(`# HELP ${metric} One-minute aggregate of ${name.replaceAll('_', ' ')}.`, `# TYPE ${metric} gauge`);
    for (const p of points) {
      const v = get(p);
      if (v !== null) out.push(`${metric} ${v} ${p.t}`);
    }
  }
  return `${out.join('\n')}\n`;
}
