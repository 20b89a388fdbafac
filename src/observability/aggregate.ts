import { CACHE_RESULTS, CACHE_TIERS, type CacheResult, type CacheTier } from '../sessions/types.js';
import { LogHistogram, type SparseBuckets } from './log-histogram.js';

/**
 * Figures sampled rather than counted (the database pool, the sessions table, Redis INFO): the highest value seen
 * in a span, across its seconds and across instances (the worst instance for the pool; one shared store otherwise).
 */
export const LEVELS = [
  'dbPoolTotal',
  'dbPoolIdle',
  'dbPoolInUse',
  'dbPoolWaiting',
  'dbPoolMax',
  'dbPoolAcquireMaxMs',
  'activeSessions',
  'expiredSessions',
  'sessionsTableBytes',
  'storeSizeBytes',
  'redisMemoryBytes',
  'redisMaxMemoryBytes',
  'redisKeys',
  'redisEvictedKeys',
] as const;
export type LevelName = (typeof LEVELS)[number];
export type Levels = Partial<Record<LevelName, number>>;

export interface HistogramData {
  buckets: SparseBuckets;
  sum: number;
  max: number;
}

/**
 * A serialisable aggregate of some span of time on one or more instances: what the minute history stores,
 * what an instance publishes for the cluster-wide "now", and what merges exactly across instances.
 */
export interface Aggregate {
  /** Epoch ms of the start of the span. */
  start: number;
  durationMs: number;
  instances: number;
  requests: number;
  /** Responses with status >= 500. */
  errors: number;
  /** Responses with status 4xx (absent in aggregates written before it existed). */
  clientErrors?: number;
  /** Requests that timed out: answered 408 or 504, or closed by the server's request/header timeout. */
  timeouts?: number;
  /** Database queries slower than DATABASE_SLOW_QUERY. */
  slowQueries?: number;
  levels?: Levels;
  latency: HistogramData;
  cache: Record<CacheTier, Record<CacheResult, number>>;
  sessionWrites: { written: number; skipped: number };
  redis: HistogramData;
  db: HistogramData;
  /** Worst event-loop lag (p99 of a second) seen in the span, ms; max across instances. */
  eventLoopLagMs: number;
  /** Latest resident set size; max across instances. */
  rssBytes: number;
  /** Mean CPU use of one process in the span, percent of one core; max across instances. */
  cpuPercent: number;
  /** Latest successful session cleanup any instance reported (epoch ms): cleanup runs on one instance at a time. */
  lastCleanupAt?: number;
}

export const emptyCache = (): Aggregate['cache'] => ({
  l1: { hit: 0, miss: 0, negative: 0 },
  l2: { hit: 0, miss: 0, negative: 0 },
  db: { hit: 0, miss: 0, negative: 0 },
});

export function emptyAggregate(start: number, durationMs: number): Aggregate {
  const h = (): HistogramData => ({ buckets: {}, sum: 0, max: 0 });
  return {
    start,
    durationMs,
    instances: 0,
    requests: 0,
    errors: 0,
    clientErrors: 0,
    timeouts: 0,
    slowQueries: 0,
    levels: {},
    latency: h(),
    cache: emptyCache(),
    sessionWrites: { written: 0, skipped: 0 },
    redis: h(),
    db: h(),
    eventLoopLagMs: 0,
    rssBytes: 0,
    cpuPercent: 0,
  };
}

const toHist = (d: HistogramData): LogHistogram => LogHistogram.fromSparse(d.buckets, d.sum, d.max);
const fromHist = (h: LogHistogram): HistogramData => ({ buckets: h.toSparse(), sum: h.sum, max: h.max });

/** Merges aggregates of the same span from several instances (or consecutive spans of one instance). */
export function mergeAggregates(parts: readonly Aggregate[], start?: number, durationMs?: number): Aggregate {
  const first = parts[0];
  const out = emptyAggregate(start ?? first?.start ?? 0, durationMs ?? first?.durationMs ?? 0);
  const latency = new LogHistogram();
  const redis = new LogHistogram();
  const db = new LogHistogram();
  for (const p of parts) {
    out.requests += p.requests;
    out.errors += p.errors;
    out.clientErrors! += p.clientErrors ?? 0;
    out.timeouts! += p.timeouts ?? 0;
    out.slowQueries! += p.slowQueries ?? 0;
    for (const [name, value] of Object.entries(p.levels ?? {}) as Array<[LevelName, number]>)
      out.levels![name] = Math.max(out.levels![name] ?? value, value);
    latency.addSparse(p.latency.buckets, p.latency.sum, p.latency.max);
    redis.addSparse(p.redis.buckets, p.redis.sum, p.redis.max);
    db.addSparse(p.db.buckets, p.db.sum, p.db.max);
    for (const tier of CACHE_TIERS) for (const r of CACHE_RESULTS) out.cache[tier][r] += p.cache[tier][r];
    out.sessionWrites.written += p.sessionWrites.written;
    out.sessionWrites.skipped += p.sessionWrites.skipped;
    out.eventLoopLagMs = Math.max(out.eventLoopLagMs, p.eventLoopLagMs);
    out.rssBytes = Math.max(out.rssBytes, p.rssBytes);
    out.cpuPercent = Math.max(out.cpuPercent, p.cpuPercent);
    if (p.lastCleanupAt !== undefined) out.lastCleanupAt = Math.max(out.lastCleanupAt ?? 0, p.lastCleanupAt);
  }
  out.instances = parts.reduce((n, p) => Math.max(n, p.instances), 0);
  out.latency = fromHist(latency);
  out.redis = fromHist(redis);
  out.db = fromHist(db);
  return out;
}

/** Sums instance counts: used when merging the same span from different instances. */
export function mergeInstances(parts: readonly Aggregate[]): Aggregate {
  const merged = mergeAggregates(parts);
  merged.instances = parts.reduce((n, p) => n + p.instances, 0);
  return merged;
}

export interface HitRates {
  l1: number | null;
  l2: number | null;
  db: number | null;
  /** Share of lookups answered by L1 or L2 (including remembered unknown tokens). */
  overall: number | null;
}

export function hitRates(cache: Aggregate['cache']): HitRates {
  const rate = (t: CacheTier): number | null => {
    const c = cache[t];
    const total = c.hit + c.miss + c.negative;
    return total === 0 ? null : (c.hit + c.negative) / total;
  };
  const l1Total = cache.l1.hit + cache.l1.miss + cache.l1.negative;
  const served = cache.l1.hit + cache.l1.negative + cache.l2.hit + cache.l2.negative;
  return { l1: rate('l1'), l2: rate('l2'), db: rate('db'), overall: l1Total === 0 ? null : served / l1Total };
}

/** The derived figures of an aggregate: what charts, exports and alert rules read. */
export interface AggregateView {
  t: number;
  instances: number;
  requests: number;
  errors: number;
  clientErrors: number;
  timeouts: number;
  slowQueries: number;
  requestsPerSec: number;
  errorRate: number;
  /** 4xx share of responses. */
  clientErrorRate: number;
  /** Mean request latency (the percentiles' companion: a few very slow requests move it, not p50). */
  avgMs: number;
  levels: Levels;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  hitRate: HitRates;
  sessionWrites: number;
  sessionWritesSkipped: number;
  sessionWritesPerMin: number;
  redisP99Ms: number;
  dbP99Ms: number;
  eventLoopLagMs: number;
  rssBytes: number;
  cpuPercent: number;
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

export function viewOf(a: Aggregate): AggregateView {
  const latency = toHist(a.latency);
  const seconds = Math.max(a.durationMs, 1) / 1000;
  return {
    t: a.start,
    instances: a.instances,
    requests: a.requests,
    errors: a.errors,
    clientErrors: a.clientErrors ?? 0,
    timeouts: a.timeouts ?? 0,
    slowQueries: a.slowQueries ?? 0,
    requestsPerSec: round(a.requests / seconds),
    errorRate: a.requests === 0 ? 0 : round(a.errors / a.requests, 5),
    clientErrorRate: a.requests === 0 ? 0 : round((a.clientErrors ?? 0) / a.requests, 5),
    avgMs: a.requests === 0 ? 0 : round(a.latency.sum / a.requests),
    levels: { ...a.levels },
    p50Ms: round(latency.percentile(50)),
    p95Ms: round(latency.percentile(95)),
    p99Ms: round(latency.percentile(99)),
    hitRate: hitRates(a.cache),
    sessionWrites: a.sessionWrites.written,
    sessionWritesSkipped: a.sessionWrites.skipped,
    sessionWritesPerMin: round((a.sessionWrites.written / seconds) * 60),
    redisP99Ms: round(toHist(a.redis).percentile(99)),
    dbP99Ms: round(toHist(a.db).percentile(99)),
    eventLoopLagMs: round(a.eventLoopLagMs),
    rssBytes: a.rssBytes,
    cpuPercent: round(a.cpuPercent, 1),
  };
}
