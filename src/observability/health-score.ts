/** The state of one dependency as /ready and the summary report it. */
export interface DependencyStatus {
  state: 'up' | 'degraded' | 'down' | 'disabled';
  latencyMs?: number;
  detail?: string;
}

export interface HealthInputs {
  requests: number;
  errorRate: number;
  p99Ms: number;
  /** Overall cache hit rate, null when there were no lookups. */
  cacheHitRate: number | null;
  cacheLookups: number;
  eventLoopLagMs: number;
  rssBytes: number;
  dependencies: Record<string, DependencyStatus>;
}

export interface HealthTargets {
  p99Ms: number;
  rssBudgetBytes: number;
  errorRate?: number;
  cacheHitRate?: number;
  eventLoopLagMs?: number;
}

export interface HealthDeduction {
  factor: 'error_rate' | 'latency' | 'cache_hit_rate' | 'dependency' | 'event_loop_lag' | 'memory';
  points: number;
  reason: string;
}

export interface HealthScore {
  score: number;
  status: 'healthy' | 'degraded' | 'unhealthy';
  deductions: HealthDeduction[];
}

/** How much each factor can cost at most; dependencies cost per dependency. */
const WEIGHTS = { error_rate: 30, latency: 25, cache_hit_rate: 15, event_loop_lag: 10, memory: 10 } as const;
const DEPENDENCY_COST: Record<string, { down: number; degraded: number }> = {
  database: { down: 40, degraded: 15 },
  redis: { down: 15, degraded: 10 },
  bus: { down: 10, degraded: 5 },
};
const MIN_REQUESTS = 20;

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)}%`;

/**
 * A 0–100 score of how well this service is doing right now, with one line per point lost, so an operator
 * reads why it is 72 rather than guessing. Each factor is scaled between its target and a "bad" level.
 */
export function healthScore(input: HealthInputs, targets: HealthTargets): HealthScore {
  const out: HealthDeduction[] = [];
  const errorTarget = targets.errorRate ?? 0.001;
  const hitTarget = targets.cacheHitRate ?? 0.9;
  const lagTarget = targets.eventLoopLagMs ?? 50;

  if (input.requests >= MIN_REQUESTS && input.errorRate > errorTarget) {
    // 0.1 % → 0 points, 3 % → the full 30.
    const points = scale(input.errorRate, errorTarget, 0.03, WEIGHTS.error_rate);
    out.push({
      factor: 'error_rate',
      points,
      reason: `error rate ${pct(input.errorRate)} is above the ${pct(errorTarget)} target`,
    });
  }
  if (input.requests >= MIN_REQUESTS && input.p99Ms > targets.p99Ms) {
    const points = scale(input.p99Ms, targets.p99Ms, targets.p99Ms * 4, WEIGHTS.latency);
    out.push({
      factor: 'latency',
      points,
      reason: `p99 latency ${Math.round(input.p99Ms)} ms is above the ${targets.p99Ms} ms target`,
    });
  }
  if (input.cacheLookups >= MIN_REQUESTS && input.cacheHitRate !== null && input.cacheHitRate < hitTarget) {
    const points = scale(hitTarget - input.cacheHitRate, 0, hitTarget - 0.5, WEIGHTS.cache_hit_rate);
    out.push({
      factor: 'cache_hit_rate',
      points,
      reason: `cache hit rate ${pct(input.cacheHitRate)} is below the ${pct(hitTarget)} target`,
    });
  }
  for (const [name, dep] of Object.entries(input.dependencies)) {
    if (dep.state !== 'down' && dep.state !== 'degraded') continue;
    const points = (DEPENDENCY_COST[name] ?? { down: 20, degraded: 10 })[dep.state];
    out.push({
      factor: 'dependency',
      points,
      reason: `${name} is ${dep.state}${dep.detail ? ` (${dep.detail})` : ''}`,
    });
  }
  if (input.eventLoopLagMs > lagTarget) {
    const points = scale(input.eventLoopLagMs, lagTarget, 200, WEIGHTS.event_loop_lag);
    out.push({
      factor: 'event_loop_lag',
      points,
      reason: `event-loop lag ${Math.round(input.eventLoopLagMs)} ms is above ${lagTarget} ms`,
    });
  }
  if (targets.rssBudgetBytes > 0 && input.rssBytes > targets.rssBudgetBytes) {
    out.push({
      factor: 'memory',
      points: WEIGHTS.memory,
      reason: `resident memory ${mib(input.rssBytes)} is over the ${mib(targets.rssBudgetBytes)} budget`,
    });
  }
  const deductions = out.filter((d) => d.points > 0);
  const score = Math.max(0, 100 - deductions.reduce((n, d) => n + d.points, 0));
  return { score, status: score >= 80 ? 'healthy' : score >= 50 ? 'degraded' : 'unhealthy', deductions };
}

/** Points for `value` between `good` (≥1 point once past it) and `bad` (the full weight). */
function scale(value: number, good: number, bad: number, weight: number): number {
  const share = bad > good ? (value - good) / (bad - good) : 1;
  return Math.max(1, Math.min(weight, Math.round(share * weight)));
}

const mib = (bytes: number): string => `${Math.round(bytes / 1048576)} MiB`;
