import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BreakerState } from '../cache/types.js';
import { FastCounter, FastHistogram, type FastCounterChild, type FastHistogramChild } from './fast-metrics.js';
import { CACHE_RESULTS, CACHE_TIERS, type CacheResult, type CacheTier } from '../sessions/types.js';
import { Recorder } from './recorder.js';
import { BoundedLabel, MonitorMetrics } from './monitor-metrics.js';
import type { LevelName } from './aggregate.js';
import type { PoolStats } from '../store/pool-monitor.js';
import type { RedisInfoSnapshot } from './redis-info.js';
import { SessionStatsCache, type SessionStats, type SessionStatsSource } from './session-stats.js';

export type LoginOutcome =
  'success' | 'invalid_credentials' | 'locked_out' | 'rate_limited' | 'blocked' | 'shed' | 'error';
export type RateLimitDecision = 'allowed' | 'limited';
export type LockoutDecision = 'allowed' | 'locked';

/**
 * What the rest of Tessera calls to report what happened. Every method is cheap (a counter increment or one
 * histogram observe) and safe to call on the hot path; with METRICS_ENABLED=false they do nothing.
 * Free-form label values (operation, limiter, event type…) are capped so no caller can explode cardinality.
 */
export interface Metrics {
  readonly enabled: boolean;
  readonly registry: Registry;
  readonly recorder: Recorder | undefined;
  /** One HTTP response: `route` is the route template (never the raw URL); `unmatched` for 404s. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  cacheLookup(tier: CacheTier, result: CacheResult): void;
  /** A session activity write made (`written`) or avoided by throttling (`skipped`). */
  sessionWrite(result: 'written' | 'skipped'): void;
  login(outcome: LoginOutcome): void;
  rateLimit(limiter: string, decision: RateLimitDecision): void;
  lockout(scope: string, decision: LockoutDecision): void;
  securityEvent(type: string): void;
  dbOp(operation: string, seconds: number): void;
  /** Every query the store ran, by statement name; `slow` when over DATABASE_SLOW_QUERY. */
  dbQuery(statement: string, seconds: number, slow: boolean): void;
  /** A PostgreSQL pool checkout and how long it waited. */
  dbPoolAcquire(seconds: number): void;
  /** A request closed by the server's request/header timeout before any route saw it. */
  requestTimedOut(): void;
  /** A sampled level (pool clients, sessions table, Redis memory…) for the history. */
  level(name: LevelName, value: number): void;
  setPoolSource(source: () => PoolStats): void;
  setRedisInfoSource(source: () => RedisInfoSnapshot | undefined): void;
  redisOp(operation: string, seconds: number): void;
  breakerState(breaker: string, state: BreakerState): void;
  cleanupSucceeded(atMs: number, deleted: number): void;
  /** Where the session-by-state and store-size gauges come from (sampled at most every few seconds). */
  setSessionStatsSource(source: SessionStatsSource): void;
  /** Polls the session figures every `intervalMs` (readers then never query the store), recording their levels. */
  pollSessionStats(intervalMs: number): void;
  /** Latest session figures (cached), for the summary and alerts. */
  sessionStats(): Promise<SessionStats | undefined>;
  readonly lastCleanupAt: number | undefined;
  /** Lets the health score / alerts layer publish into the registry. */
  setHealthScore(score: number): void;
  /** Read at scrape time: alerts firing by severity (shared state, so every instance reports the same). */
  setAlertsFiringSource(source: () => Promise<Record<string, number>>): void;
  text(): Promise<string>;
  readonly contentType: string;
  stop(): void;
}

/** Bucket bounds (seconds) for request latency: fine below the 250 ms p99 target, and the 1 s alert line. */
export const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DEP_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const BREAKER_STATES: BreakerState[] = ['closed', 'half-open', 'open'];

export interface MetricsOptions {
  enabled: boolean;
  /** Latency target (ms) the health score uses; added as a histogram bucket so p99 against it is exact. */
  latencyTargetMs?: number;
  /** Default Node/process collectors (CPU, memory, event-loop lag, GC). */
  defaultCollectors?: boolean;
  recorder?: Recorder;
  now?: () => number;
}

export function createMetrics(options: MetricsOptions): Metrics {
  return options.enabled ? new PromMetrics(options) : new NoopMetrics();
}

class PromMetrics implements Metrics {
  readonly enabled = true;
  readonly registry = new Registry();
  readonly recorder: Recorder;
  readonly contentType: string;
  lastCleanupAt: number | undefined;
  private readonly stats: SessionStatsCache;
  private readonly httpChildren = new Map<string, FastHistogramChild>();
  private readonly cacheChildren = {} as Record<CacheTier, Record<CacheResult, FastCounterChild>>;
  private readonly writeChildren: Record<'written' | 'skipped', FastCounterChild>;
  private readonly errorChildren: Record<'5xx' | '4xx' | 'timeout', FastCounterChild>;
  private readonly monitors: MonitorMetrics;
  private readonly labels = {
    op: new BoundedLabel(),
    limiter: new BoundedLabel(),
    scope: new BoundedLabel(),
    event: new BoundedLabel(),
    route: new BoundedLabel(500),
    breaker: new BoundedLabel(20),
  };

  private readonly http: FastHistogram;
  private readonly logins: Counter<'outcome'>;
  private readonly rateLimits: Counter<'limiter' | 'decision'>;
  private readonly lockouts: Counter<'scope' | 'decision'>;
  private readonly security: Counter<'type'>;
  private readonly db: Histogram<'operation'>;
  private readonly redis: Histogram<'operation'>;
  private readonly breaker: Gauge<'breaker' | 'state'>;
  private readonly cleanupTs: Gauge;
  private readonly cleanupDeleted: Counter;
  private readonly health: Gauge;
  private alertsSource: (() => Promise<Record<string, number>>) | undefined;

  constructor(options: MetricsOptions) {
    this.recorder = options.recorder ?? new Recorder({ now: options.now });
    this.stats = new SessionStatsCache(10_000, options.now);
    this.contentType = this.registry.contentType;
    const registers = [this.registry];
    const target = (options.latencyTargetMs ?? 250) / 1000;
    const buckets = [...new Set([...HTTP_BUCKETS, target])].sort((a, b) => a - b);

    this.http = new FastHistogram(
      'tessera_http_request_duration_seconds',
      'HTTP request duration by route template, method and status code.',
      ['route', 'method', 'status_code'],
      buckets,
      this.registry,
    );
    const cache = new FastCounter(
      'tessera_cache_lookups_total',
      'Session cache lookups by tier (l1, l2, db) and result (hit, miss, negative).',
      ['tier', 'result'],
      this.registry,
    );
    for (const tier of CACHE_TIERS) {
      this.cacheChildren[tier] = {} as Record<CacheResult, FastCounterChild>;
      for (const result of CACHE_RESULTS) this.cacheChildren[tier][result] = cache.child(tier, result);
    }
    const writes = new FastCounter(
      'tessera_session_writes_total',
      'Session activity writes, written or skipped by throttling.',
      ['result'],
      this.registry,
    );
    this.writeChildren = { written: writes.child('written'), skipped: writes.child('skipped') };
    const errors = new FastCounter(
      'tessera_http_errors_total',
      'Error responses by class: 5xx, 4xx, timeout (408/504 answers and requests closed on REQUEST_TIMEOUT/HEADERS_TIMEOUT).',
      ['class'],
      this.registry,
    );
    this.errorChildren = { '5xx': errors.child('5xx'), '4xx': errors.child('4xx'), timeout: errors.child('timeout') };
    this.monitors = new MonitorMetrics(this.registry);
    this.logins = new Counter({
      name: 'tessera_logins_total',
      help: 'Login attempts by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.rateLimits = new Counter({
      name: 'tessera_rate_limit_decisions_total',
      help: 'Rate-limit decisions by limiter and decision.',
      labelNames: ['limiter', 'decision'],
      registers,
    });
    this.lockouts = new Counter({
      name: 'tessera_lockout_decisions_total',
      help: 'Brute-force lockout decisions by scope and decision.',
      labelNames: ['scope', 'decision'],
      registers,
    });
    this.security = new Counter({
      name: 'tessera_security_events_total',
      help: 'Security events by type.',
      labelNames: ['type'],
      registers,
    });
    this.db = new Histogram({
      name: 'tessera_db_operation_duration_seconds',
      help: 'Database operation duration by operation.',
      labelNames: ['operation'],
      buckets: DEP_BUCKETS,
      registers,
    });
    this.redis = new Histogram({
      name: 'tessera_redis_operation_duration_seconds',
      help: 'Redis operation duration by operation.',
      labelNames: ['operation'],
      buckets: DEP_BUCKETS,
      registers,
    });
    this.breaker = new Gauge({
      name: 'tessera_circuit_breaker_state',
      help: 'Circuit breaker state: 1 for the current state of each breaker, 0 for the others.',
      labelNames: ['breaker', 'state'],
      registers,
    });
    this.cleanupTs = new Gauge({
      name: 'tessera_session_cleanup_last_success_timestamp_seconds',
      help: 'Unix time of the last successful session cleanup seen by this instance.',
      registers,
    });
    this.cleanupDeleted = new Counter({
      name: 'tessera_session_cleanup_deleted_total',
      help: 'Sessions deleted by cleanup on this instance.',
      registers,
    });
    this.health = new Gauge({
      name: 'tessera_health_score',
      help: 'Health score 0-100 (see /ready for the reasons).',
      registers,
    });
    const alertCounts = () => this.alertsSource?.();
    new Gauge({
      name: 'tessera_alerts_firing',
      help: 'Alerts currently firing by severity.',
      labelNames: ['severity'],
      registers,
      async collect() {
        const counts = await alertCounts()?.catch(() => undefined);
        for (const [severity, n] of Object.entries(counts ?? {})) this.set({ severity }, n);
      },
    });

    const stats = this.stats;
    new Gauge({
      name: 'tessera_sessions',
      help: 'Sessions in the store by state (active, expired awaiting cleanup, revoked).',
      labelNames: ['state'],
      registers,
      async collect() {
        const s = await stats.get();
        if (!s) return;
        this.set({ state: 'active' }, s.active);
        this.set({ state: 'expired' }, s.expired);
        this.set({ state: 'revoked' }, s.revoked);
      },
    });
    new Gauge({
      name: 'tessera_store_size_bytes',
      help: 'Size of the session store on disk.',
      registers,
      async collect() {
        const s = await stats.get();
        if (s?.sizeBytes !== undefined) this.set(s.sizeBytes);
      },
    });
    new Gauge({
      name: 'tessera_sessions_table_bytes',
      help: 'Size of the sessions table with its indexes.',
      registers,
      async collect() {
        const s = await stats.get();
        if (s?.tableBytes !== undefined) this.set(s.tableBytes);
      },
    });
    if (options.defaultCollectors !== false) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
      // prom-client also exports these gauges under a `_total` name, which Prometheus reserves for counters
      // (promtool rejects them); the same figures remain as nodejs_active_{handles,requests,resources}.
      for (const name of [
        'nodejs_active_handles_total',
        'nodejs_active_requests_total',
        'nodejs_active_resources_total',
      ])
        this.registry.removeSingleMetric(name);
    }
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.httpChildren.get(key);
    if (!child) {
      child = this.http.child(
        this.labels.route.of(route),
        KNOWN_METHODS.has(method) ? method : 'OTHER',
        String(status),
      );
      if (this.httpChildren.size < 5000) this.httpChildren.set(key, child);
    }
    child.observe(seconds);
    if (status >= 400) {
      this.errorChildren[status >= 500 ? '5xx' : '4xx'].inc();
      if (status === 408 || status === 504) this.errorChildren.timeout.inc();
    }
    this.recorder.request(seconds * 1000, status);
  }

  requestTimedOut(): void {
    this.errorChildren.timeout.inc();
    this.recorder.requestTimedOut();
  }

  dbQuery(statement: string, seconds: number, slow: boolean): void {
    this.monitors.dbQuery(statement, seconds, slow);
    this.recorder.dbOp(seconds * 1000);
    if (slow) this.recorder.slowQuery();
  }

  dbPoolAcquire(seconds: number): void {
    this.monitors.poolAcquire(seconds);
    this.recorder.level('dbPoolAcquireMaxMs', seconds * 1000);
  }

  level(name: LevelName, value: number): void {
    this.recorder.level(name, value);
  }

  setPoolSource(source: () => PoolStats): void {
    this.monitors.setPoolSource(source);
  }

  setRedisInfoSource(source: () => RedisInfoSnapshot | undefined): void {
    this.monitors.setRedisInfoSource(source);
  }

  cacheLookup(tier: CacheTier, result: CacheResult): void {
    this.cacheChildren[tier][result].inc();
    this.recorder.cacheLookup(tier, result);
  }

  sessionWrite(result: 'written' | 'skipped'): void {
    this.writeChildren[result].inc();
    this.recorder.sessionWrite(result === 'written');
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  rateLimit(limiter: string, decision: RateLimitDecision): void {
    this.rateLimits.inc({ limiter: this.labels.limiter.of(limiter), decision });
  }

  lockout(scope: string, decision: LockoutDecision): void {
    this.lockouts.inc({ scope: this.labels.scope.of(scope), decision });
  }

  securityEvent(type: string): void {
    this.security.inc({ type: this.labels.event.of(type) });
  }

  dbOp(operation: string, seconds: number): void {
    // The recorder's database latency comes from dbQuery (every query), so these named ones are not added twice.
    this.db.observe({ operation: this.labels.op.of(operation) }, seconds);
  }

  redisOp(operation: string, seconds: number): void {
    this.redis.observe({ operation: this.labels.op.of(operation) }, seconds);
    this.recorder.redisOp(seconds * 1000);
  }

  breakerState(breaker: string, state: BreakerState): void {
    const name = this.labels.breaker.of(breaker);
    for (const s of BREAKER_STATES) this.breaker.set({ breaker: name, state: s }, s === state ? 1 : 0);
  }

  cleanupSucceeded(atMs: number, deleted: number): void {
    this.lastCleanupAt = atMs;
    this.cleanupTs.set(atMs / 1000);
    this.cleanupDeleted.inc(deleted);
  }

  setSessionStatsSource(source: SessionStatsSource): void {
    this.stats.setSource(source);
  }

  sessionStats(): Promise<SessionStats | undefined> {
    return this.stats.get();
  }

  pollSessionStats(intervalMs: number): void {
    this.stats.poll(intervalMs, (s) => {
      this.recorder.level('activeSessions', s.active);
      this.recorder.level('expiredSessions', s.expired);
      if (s.tableBytes !== undefined) this.recorder.level('sessionsTableBytes', s.tableBytes);
      if (s.sizeBytes !== undefined) this.recorder.level('storeSizeBytes', s.sizeBytes);
    });
  }

  setHealthScore(score: number): void {
    this.health.set(score);
  }

  setAlertsFiringSource(source: () => Promise<Record<string, number>>): void {
    this.alertsSource = source;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  stop(): void {
    this.stats.stop();
    this.recorder.stop();
    this.registry.clear();
  }
}

class NoopMetrics implements Metrics {
  readonly enabled = false;
  readonly registry = new Registry();
  readonly recorder = undefined;
  readonly contentType = this.registry.contentType;
  readonly lastCleanupAt = undefined;
  httpRequest(): void {}
  cacheLookup(): void {}
  sessionWrite(): void {}
  login(): void {}
  rateLimit(): void {}
  lockout(): void {}
  securityEvent(): void {}
  dbOp(): void {}
  dbQuery(): void {}
  dbPoolAcquire(): void {}
  requestTimedOut(): void {}
  level(): void {}
  setPoolSource(): void {}
  setRedisInfoSource(): void {}
  redisOp(): void {}
  breakerState(): void {}
  cleanupSucceeded(): void {}
  setSessionStatsSource(): void {}
  pollSessionStats(): void {}
  async sessionStats(): Promise<undefined> {
    return undefined;
  }
  setHealthScore(): void {}
  setAlertsFiringSource(): void {}
  async text(): Promise<string> {
    return '';
  }
  stop(): void {}
}
