import { formatDuration, parseDuration } from '../../config/duration.js';
import type { FieldProblem } from '../../errors/registry.js';
import { OPERATORS, SEVERITIES, type AlertRule, type Operator } from './types.js';

/** A rule as written in a file or sent to PUT /v1/admin/alerts/rules: `for` as a duration ("2m") or ms. */
export interface AlertRuleInput {
  name: string;
  expr: string;
  op: string;
  threshold: number;
  for?: string | number;
  severity?: string;
  description?: string;
}

/** The summary signals a rule may name (see Summary.signals). */
export const KNOWN_SIGNALS = [
  'requests_per_sec',
  'error_rate',
  'p50_ms',
  'p95_ms',
  'p99_ms',
  'cache_hit_rate',
  'l1_hit_rate',
  'l2_hit_rate',
  'redis_latency_ms',
  'db_latency_ms',
  'rss_bytes',
  'cpu_percent',
  'event_loop_lag_ms',
  'cleanup_age_ms',
  'active_sessions',
  'expired_sessions',
  'revoked_sessions',
  'store_size_bytes',
  'session_writes_per_min',
  'session_write_ratio',
  'health_score',
  'database_up',
  'redis_up',
  'avg_ms',
  'client_error_rate',
  'timeouts_per_min',
  'slow_queries_per_min',
  'db_pool_waiting',
  'db_pool_in_use_ratio',
  'db_pool_acquire_ms',
  'sessions_table_bytes',
  'redis_memory_bytes',
  'redis_memory_ratio',
  'redis_evictions_per_min',
  'redis_keys',
  'redis_nodes_down',
  'redis_cluster_slots_ok',
] as const;

const NAME = /^[A-Za-z][\w.-]{0,63}$/;

/** Validates a list of rules; every problem is reported with the path of the field (rules[2].op). */
export function parseRules(input: unknown, path = 'rules'): { rules: AlertRule[] } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!Array.isArray(input)) return { problems: [{ field: path, message: 'must be a list of rules' }] };
  const rules: AlertRule[] = [];
  const names = new Set<string>();
  input.forEach((raw, i) => {
    const at = `${path}[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ field: at, message: 'must be an object' });
      return;
    }
    const r = raw as Record<string, unknown>;
    const before = problems.length;
    if (typeof r.name !== 'string' || !NAME.test(r.name))
      problems.push({ field: `${at}.name`, message: 'must be 1-64 letters, digits, _ . or -, starting with a letter' });
    else if (names.has(r.name)) problems.push({ field: `${at}.name`, message: `duplicates rule "${r.name}"` });
    if (typeof r.expr !== 'string' || !(KNOWN_SIGNALS as readonly string[]).includes(r.expr)) {
      problems.push({ field: `${at}.expr`, message: `must be one of ${KNOWN_SIGNALS.join(', ')}` });
    }
    if (typeof r.op !== 'string' || !(OPERATORS as readonly string[]).includes(r.op))
      problems.push({ field: `${at}.op`, message: `must be one of ${OPERATORS.join(' ')}` });
    if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold))
      problems.push({ field: `${at}.threshold`, message: 'must be a finite number' });
    let forMs = 0;
    if (r.for !== undefined) {
      const ms =
        typeof r.for === 'number'
          ? r.for
          : typeof r.for === 'string'
            ? r.for === '0'
              ? 0
              : parseDuration(r.for)
            : undefined;
      if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > 7 * 86_400_000)
        problems.push({ field: `${at}.for`, message: 'must be a duration such as 30s or 2m (at most 7d)' });
      else forMs = ms;
    }
    const severity = r.severity ?? 'warning';
    if (typeof severity !== 'string' || !(SEVERITIES as readonly string[]).includes(severity))
      problems.push({ field: `${at}.severity`, message: `must be one of ${SEVERITIES.join(', ')}` });
    if (r.description !== undefined && (typeof r.description !== 'string' || r.description.length > 500))
      problems.push({ field: `${at}.description`, message: 'must be a string of at most 500 characters' });
    if (problems.length > before) return;
    names.add(r.name as string);
    rules.push({
      name: r.name as string,
      expr: r.expr as string,
      op: r.op as Operator,
      threshold: r.threshold as number,
      forMs,
      severity: severity as AlertRule['severity'],
      ...(r.description ? { description: r.description as string } : {}),
    });
  });
  return problems.length > 0 ? { problems } : { rules };
}

/** The rule as shown by the API and written to files: `for` as a duration string. */
export function ruleToJson(rule: AlertRule): AlertRuleInput {
  const { forMs, ...rest } = rule;
  return { ...rest, for: forMs === 0 ? '0' : formatDuration(forMs) };
}

export function compare(value: number, op: Operator, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

export interface BuiltInRuleSettings {
  rssBudgetBytes: number;
  cleanupIntervalMs: number;
}

/** The SLO rules every deployment starts with (the usual SLOs: latency, errors, cache, Redis, memory, lag, cleanup). A rule file may override any of them by name. */
export function builtInRules(settings: BuiltInRuleSettings): AlertRule[] {
  return [
    {
      name: 'HighLatencyP99',
      expr: 'p99_ms',
      op: '>',
      threshold: 1000,
      forMs: 120_000,
      severity: 'critical',
      description: 'p99 latency above 1 s for 2 minutes',
    },
    {
      name: 'HighErrorRate',
      expr: 'error_rate',
      op: '>',
      threshold: 0.01,
      forMs: 120_000,
      severity: 'critical',
      description: 'more than 1 % of responses are 5xx for 2 minutes',
    },
    {
      name: 'LowCacheHitRate',
      expr: 'cache_hit_rate',
      op: '<',
      threshold: 0.7,
      forMs: 600_000,
      severity: 'warning',
      description: 'session cache hit rate below 70 % for 10 minutes',
    },
    {
      name: 'SlowRedis',
      expr: 'redis_latency_ms',
      op: '>',
      threshold: 50,
      forMs: 60_000,
      severity: 'warning',
      description: 'Redis p99 latency above 50 ms',
    },
    {
      name: 'MemoryOverBudget',
      expr: 'rss_bytes',
      op: '>',
      threshold: settings.rssBudgetBytes,
      forMs: 120_000,
      severity: 'warning',
      description: 'resident memory over RSS_BUDGET_BYTES',
    },
    {
      name: 'EventLoopLag',
      expr: 'event_loop_lag_ms',
      op: '>',
      threshold: 200,
      forMs: 60_000,
      severity: 'warning',
      description: 'event-loop lag above 200 ms',
    },
    {
      name: 'CleanupStalled',
      expr: 'cleanup_age_ms',
      op: '>',
      threshold: 2 * settings.cleanupIntervalMs,
      forMs: 0,
      severity: 'warning',
      description: 'session cleanup has not succeeded for twice its interval',
    },
    {
      name: 'ExpiredSessionsPilingUp',
      expr: 'expired_sessions',
      op: '>',
      threshold: 100_000,
      forMs: 900_000,
      severity: 'warning',
      description: 'more than 100 000 expired sessions await cleanup',
    },
    {
      name: 'SessionWritesUnthrottled',
      expr: 'session_write_ratio',
      op: '>',
      threshold: 5,
      forMs: 300_000,
      severity: 'warning',
      description: 'session writes per minute are over 5× the throttled rate',
    },
    {
      name: 'DatabasePoolExhausted',
      expr: 'db_pool_waiting',
      op: '>',
      threshold: 0,
      forMs: 60_000,
      severity: 'critical',
      description:
        'queries have been waiting for a PostgreSQL pool client for a minute (raise DATABASE_POOL_MAX or find the slow queries)',
    },
    {
      name: 'SlowQueries',
      expr: 'slow_queries_per_min',
      op: '>',
      threshold: 30,
      forMs: 300_000,
      severity: 'warning',
      description:
        'more than 30 queries a minute over DATABASE_SLOW_QUERY for 5 minutes (see the slow-query log lines)',
    },
    {
      name: 'RequestTimeouts',
      expr: 'timeouts_per_min',
      op: '>',
      threshold: 10,
      forMs: 300_000,
      severity: 'warning',
      description: 'more than 10 requests a minute timing out for 5 minutes',
    },
    {
      name: 'RedisMemoryNearLimit',
      expr: 'redis_memory_ratio',
      op: '>',
      threshold: 0.9,
      forMs: 300_000,
      severity: 'warning',
      description: 'Redis uses over 90 % of its maxmemory',
    },
    {
      name: 'RedisEvictingKeys',
      expr: 'redis_evictions_per_min',
      op: '>',
      threshold: 0,
      forMs: 300_000,
      severity: 'warning',
      description: 'Redis has been evicting keys for 5 minutes: cached sessions fall back to the database',
    },
    {
      name: 'RedisNodeDown',
      expr: 'redis_nodes_down',
      op: '>',
      threshold: 0,
      forMs: 60_000,
      severity: 'warning',
      description: 'a Redis node has not answered INFO for a minute',
    },
    {
      name: 'RedisClusterSlotsUncovered',
      expr: 'redis_cluster_slots_ok',
      op: '<',
      threshold: 16384,
      forMs: 60_000,
      severity: 'critical',
      description: 'some Redis Cluster hash slots are not served for a minute',
    },
  ];
}

/** Built-ins with file/API rules laid over them by name. */
export function mergeRules(base: readonly AlertRule[], overrides: readonly AlertRule[]): AlertRule[] {
  const byName = new Map(base.map((r) => [r.name, r]));
  for (const r of overrides) byName.set(r.name, r);
  return [...byName.values()];
}
