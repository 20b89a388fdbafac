import { viewOf, type Aggregate, type HitRates } from './aggregate.js';
import { healthScore, type DependencyStatus, type HealthScore, type HealthTargets } from './health-score.js';
import type { SessionStats } from './session-stats.js';
import type { RedisInfoSnapshot } from './redis-info.js';

/** "Now": what GET /v1/admin/metrics/summary, the SSE stream, /ready and the alert evaluator read. */
export interface Summary {
  at: number;
  windowSec: number;
  instances: number;
  requestsPerSec: number;
  /** 5xx share of responses. */
  errorRate: number;
  /** 4xx share of responses. */
  clientErrorRate: number;
  /** Timeouts (408/504 answers, requests closed on REQUEST_TIMEOUT/HEADERS_TIMEOUT) per minute. */
  timeoutsPerMin: number;
  /** Mean request latency. */
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  cacheHitRate: HitRates;
  activeSessions: number | null;
  expiredSessions: number | null;
  revokedSessions: number | null;
  storeSizeBytes: number | null;
  /** The sessions table with its indexes. */
  sessionsTableBytes: number | null;
  sessionWritesPerMin: number;
  /** Queries over DATABASE_SLOW_QUERY per minute. */
  slowQueriesPerMin: number;
  /** PostgreSQL pools: each figure the highest of the last seconds on any instance; null with SQLite. */
  dbPool: {
    total: number;
    idle: number;
    inUse: number;
    waiting: number;
    max: number;
    acquireMaxMs: number | null;
  } | null;
  /** The Redis INFO poller's last snapshot (per node, slot coverage); null without Redis. */
  redis: RedisInfoSnapshot | null;
  uptimeSec: number;
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
  redis?: RedisInfoSnapshot;
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
  const perMin = (n: number): number => Math.round(((n * 60_000) / Math.max(input.live.durationMs, 1)) * 1000) / 1000;
  const levels = v.levels;
  const dbPool =
    levels.dbPoolMax === undefined
      ? null
      : {
          total: levels.dbPoolTotal ?? 0,
          idle: levels.dbPoolIdle ?? 0,
          inUse: levels.dbPoolInUse ?? 0,
          waiting: levels.dbPoolWaiting ?? 0,
          max: levels.dbPoolMax,
          acquireMaxMs: levels.dbPoolAcquireMaxMs ?? null,
        };
  const redis = input.redis ?? null;
  const masters = redis?.nodes.filter((n) => n.role === 'master') ?? [];
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
    avg_ms: v.avgMs,
    client_error_rate: v.clientErrorRate,
    timeouts_per_min: perMin(v.timeouts),
    slow_queries_per_min: perMin(v.slowQueries),
    db_pool_waiting: dbPool?.waiting ?? null,
    // Clients in use over the pool's size: 1 with queries waiting is an exhausted pool.
    db_pool_in_use_ratio: dbPool ? dbPool.inUse / Math.max(1, dbPool.max) : null,
    db_pool_acquire_ms: dbPool?.acquireMaxMs ?? null,
    sessions_table_bytes: input.sessions?.tableBytes ?? null,
    redis_memory_bytes: redis && masters.some((n) => n.up) ? redis.usedMemoryBytes : null,
    redis_memory_ratio: redis && redis.maxMemoryBytes > 0 ? redis.usedMemoryBytes / redis.maxMemoryBytes : null,
    redis_evictions_per_min: redis?.evictionsPerMin ?? null,
    redis_keys: redis ? redis.keys : null,
    redis_nodes_down: redis ? redis.nodes.filter((n) => !n.up).length : null,
    redis_cluster_slots_ok: redis?.cluster ? redis.cluster.slotsOk : null,
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
    clientErrorRate: v.clientErrorRate,
    timeoutsPerMin: perMin(v.timeouts),
    avgMs: v.avgMs,
    p50Ms: v.p50Ms,
    p95Ms: v.p95Ms,
    p99Ms: v.p99Ms,
    cacheHitRate: v.hitRate,
    activeSessions: active,
    expiredSessions: input.sessions?.expired ?? null,
    revokedSessions: input.sessions?.revoked ?? null,
    storeSizeBytes: input.sessions?.sizeBytes ?? null,
    sessionsTableBytes: input.sessions?.tableBytes ?? null,
    sessionWritesPerMin: v.sessionWritesPerMin,
    slowQueriesPerMin: perMin(v.slowQueries),
    dbPool,
    redis,
    uptimeSec: Math.round((input.now - input.startedAt) / 1000),
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
