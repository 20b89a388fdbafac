import { viewOf, type Aggregate, type HitRates } from './aggregate.js';
import { healthScore, type DependencyStatus, type HealthScore, type HealthTargets } from './health-score.js';
import type { SessionStats } from './session-stats.js';

/** "Now": what GET /v1/admin/metrics/summary, the SSE stream, /ready and the alert evaluator read. */
export interface Summary {
  at: number;
  windowSec: number;
  instances: number;
  requestsPerSec: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  cacheHitRate: HitRates;
  activeSessions: number | null;
  expiredSessions: number | null;
  revokedSessions: number | null;
  storeSizeBytes: number | null;
  sessionWritesPerMin: number;
  eventLoopLagMs: number;
  rssBytes: number;
  cpuPercent: number;
  redisLatencyMs: number | null;
  cleanupAgeMs: number | null;
  dependencies: Record<string, DependencyStatus>;
  health: HealthScore;
  /** The flat metric names alert rules use in `expr`. */
  signals: Record<string, number | null>;
}

export interface SummaryInputs {
  now: number;
  live: Aggregate;
  sessions: SessionStats | undefined;
  dependencies: Record<string, DependencyStatus>;
  /** Last successful cleanup (epoch ms); when unknown, the process start stands in so a fresh start does not alert. */
  lastCleanupAt: number | undefined;
  startedAt: number;
  /** Idle TTL: the throttled write rate is about two writes per active session per idle TTL. */
  sessionIdleTtlMs: number;
  targets: HealthTargets;
}

export function buildSummary(input: SummaryInputs): Summary {
  const v = viewOf(input.live);
  const cache = input.live.cache;
  const lookups = cache.l1.hit + cache.l1.miss + cache.l1.negative;
  const redisDep = input.dependencies.redis;
  const redisLatencyMs = v.redisP99Ms > 0 ? v.redisP99Ms : (redisDep?.latencyMs ?? null);
  const lastCleanup = Math.max(
    input.lastCleanupAt ?? 0,
    input.live.lastCleanupAt ?? 0,
    input.sessions?.lastCleanupAt ?? 0,
  );
  const cleanupAgeMs = input.now - (lastCleanup > 0 ? lastCleanup : input.startedAt);
  const active = input.sessions?.active ?? null;
  // Throttled writes: each active session writes at most once per half idle TTL.
  const expectedWritesPerMin = active === null ? null : (active * 2 * 60_000) / input.sessionIdleTtlMs;
  const health = healthScore(
    {
      requests: v.requests,
      errorRate: v.errorRate,
      p99Ms: v.p99Ms,
      cacheHitRate: v.hitRate.overall,
      cacheLookups: lookups,
      eventLoopLagMs: v.eventLoopLagMs,
      rssBytes: v.rssBytes,
      dependencies: input.dependencies,
    },
    input.targets,
  );
  const signals: Record<string, number | null> = {
    requests_per_sec: v.requestsPerSec,
    error_rate: v.errorRate,
    p50_ms: v.p50Ms,
    p95_ms: v.p95Ms,
    p99_ms: v.p99Ms,
    cache_hit_rate: v.hitRate.overall,
    l1_hit_rate: v.hitRate.l1,
    l2_hit_rate: v.hitRate.l2,
    redis_latency_ms: redisLatencyMs,
    db_latency_ms: v.dbP99Ms,
    rss_bytes: v.rssBytes,
    cpu_percent: v.cpuPercent,
    event_loop_lag_ms: v.eventLoopLagMs,
    cleanup_age_ms: cleanupAgeMs,
    active_sessions: active,
    expired_sessions: input.sessions?.expired ?? null,
    revoked_sessions: input.sessions?.revoked ?? null,
    store_size_bytes: input.sessions?.sizeBytes ?? null,
    session_writes_per_min: v.sessionWritesPerMin,
    // How many times the throttled rate the store is being written; >1 means throttling is not working.
    session_write_ratio:
      expectedWritesPerMin === null || v.sessionWrites < 10
        ? null
        : v.sessionWritesPerMin / Math.max(1, expectedWritesPerMin),
    health_score: health.score,
    database_up: depUp(input.dependencies.database),
    redis_up: depUp(redisDep),
  };
  return {
    at: input.now,
    windowSec: Math.round(input.live.durationMs / 1000),
    instances: v.instances,
    requestsPerSec: v.requestsPerSec,
    errorRate: v.errorRate,
    p50Ms: v.p50Ms,
    p95Ms: v.p95Ms,
    p99Ms: v.p99Ms,
    cacheHitRate: v.hitRate,
    activeSessions: active,
    expiredSessions: input.sessions?.expired ?? null,
    revokedSessions: input.sessions?.revoked ?? null,
    storeSizeBytes: input.sessions?.sizeBytes ?? null,
    sessionWritesPerMin: v.sessionWritesPerMin,
    eventLoopLagMs: v.eventLoopLagMs,
    rssBytes: v.rssBytes,
    cpuPercent: v.cpuPercent,
    redisLatencyMs,
    cleanupAgeMs,
    dependencies: input.dependencies,
    health,
    signals,
  };
}

const depUp = (d: DependencyStatus | undefined): number | null =>
  d === undefined || d.state === 'disabled' ? null : d.state === 'down' ? 0 : 1;
