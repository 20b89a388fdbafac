import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { CACHE_TIERS, type CacheResult, type CacheTier } from '../sessions/types.js';
import { emptyAggregate, mergeAggregates, LEVELS, type Aggregate, type LevelName } from './aggregate.js';
import { LogHistogram } from './log-histogram.js';

const RING_SECONDS = 120;
const TIER_INDEX: Record<CacheTier, number> = { l1: 0, l2: 1, db: 2 };
const RESULT_INDEX: Record<CacheResult, number> = { hit: 0, miss: 1, negative: 2 };
const LEVEL_INDEX = Object.fromEntries(LEVELS.map((name, i) => [name, i])) as Record<LevelName, number>;

/** One second of one instance. Everything is a counter or a fixed-size histogram: no samples are kept. */
class Slot {
  second = -1;
  requests = 0;
  errors = 0;
  clientErrors = 0;
  timeouts = 0;
  slowQueries = 0;
  /** Sampled levels of the second (NaN: none sampled), in LEVELS order. */
  readonly levels = new Float64Array(LEVELS.length).fill(NaN);
  readonly latency = new LogHistogram();
  readonly redis = new LogHistogram();
  readonly db = new LogHistogram();
  readonly cache = new Uint32Array(9);
  written = 0;
  skipped = 0;
  lagMs = 0;
  rssBytes = 0;
  cpuPercent = 0;

  reset(second: number): void {
    this.second = second;
    this.requests = this.errors = this.written = this.skipped = 0;
    this.clientErrors = this.timeouts = this.slowQueries = 0;
    this.levels.fill(NaN);
    this.lagMs = this.rssBytes = this.cpuPercent = 0;
    this.latency.reset();
    this.redis.reset();
    this.db.reset();
    this.cache.fill(0);
  }

  toAggregate(): Aggregate {
    const a = emptyAggregate(this.second * 1000, 1000);
    a.instances = 1;
    a.requests = this.requests;
    a.errors = this.errors;
    a.clientErrors = this.clientErrors;
    a.timeouts = this.timeouts;
    a.slowQueries = this.slowQueries;
    a.levels = {};
    LEVELS.forEach((name, i) => {
      if (!Number.isNaN(this.levels[i])) a.levels![name] = this.levels[i];
    });
    a.latency = { buckets: this.latency.toSparse(), sum: this.latency.sum, max: this.latency.max };
    a.redis = { buckets: this.redis.toSparse(), sum: this.redis.sum, max: this.redis.max };
    a.db = { buckets: this.db.toSparse(), sum: this.db.sum, max: this.db.max };
    for (const tier of CACHE_TIERS) {
      const base = TIER_INDEX[tier] * 3;
      a.cache[tier] = { hit: this.cache[base], miss: this.cache[base + 1], negative: this.cache[base + 2] };
    }
    a.sessionWrites = { written: this.written, skipped: this.skipped };
    a.eventLoopLagMs = this.lagMs;
    a.rssBytes = this.rssBytes;
    a.cpuPercent = this.cpuPercent;
    return a;
  }
}

export interface RecorderOptions {
  now?: () => number;
  /** Sample event-loop lag, RSS and CPU once a second (off in unit tests that feed samples by hand). */
  sampleProcess?: boolean;
}

/**
 * The in-process aggregator fed on the hot path: a ring of per-second slots (two minutes deep), from which
 * the last few seconds (the live summary) and each completed minute (the history) are read.
 * Per event cost: one clock read, a few array increments.
 */
export class Recorder {
  private readonly ring = Array.from({ length: RING_SECONDS }, () => new Slot());
  private current: Slot;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private eld: IntervalHistogram | undefined;
  private lastCpu = process.cpuUsage();
  private lastCpuAt = 0;

  constructor(options: RecorderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.current = this.slotFor(Math.floor(this.now() / 1000));
    if (options.sampleProcess) this.startSampling();
  }

  private slotFor(second: number): Slot {
    const slot = this.ring[second % RING_SECONDS];
    if (slot.second !== second) slot.reset(second);
    return slot;
  }

  private slot(): Slot {
    const second = Math.floor(this.now() / 1000);
    if (this.current.second !== second) this.current = this.slotFor(second);
    return this.current;
  }

  request(durationMs: number, status: number): void {
    const s = this.slot();
    s.requests++;
    if (status >= 500) s.errors++;
    else if (status >= 400) s.clientErrors++;
    if (status === 408 || status === 504) s.timeouts++;
    s.latency.record(durationMs);
  }

  /** A request the server closed on its request/header timeout before any route saw it (Node answers 408 itself). */
  requestTimedOut(): void {
    this.slot().timeouts++;
  }

  slowQuery(): void {
    this.slot().slowQueries++;
  }

  /** A sampled level for the current second; the highest of the second is kept. */
  level(name: LevelName, value: number): void {
    const levels = this.slot().levels;
    const i = LEVEL_INDEX[name];
    levels[i] = Number.isNaN(levels[i]) ? value : Math.max(levels[i], value);
  }

  cacheLookup(tier: CacheTier, result: CacheResult): void {
    this.slot().cache[TIER_INDEX[tier] * 3 + RESULT_INDEX[result]]++;
  }

  sessionWrite(written: boolean): void {
    const s = this.slot();
    if (written) s.written++;
    else s.skipped++;
  }

  redisOp(ms: number): void {
    this.slot().redis.record(ms);
  }

  dbOp(ms: number): void {
    this.slot().db.record(ms);
  }

  /** Process figures for the current second (called by the sampler, or by tests). */
  processSample(sample: { lagMs: number; rssBytes: number; cpuPercent: number }): void {
    const s = this.slot();
    s.lagMs = Math.max(s.lagMs, sample.lagMs);
    s.rssBytes = sample.rssBytes;
    s.cpuPercent = sample.cpuPercent;
  }

  /** The last `seconds` complete-or-current seconds, merged. */
  window(seconds: number): Aggregate {
    const nowSecond = Math.floor(this.now() / 1000);
    return this.span(nowSecond - seconds + 1, nowSecond + 1);
  }

  /** The minute starting at `minuteStart` (epoch ms, a multiple of 60 000), merged from its seconds. */
  minute(minuteStart: number): Aggregate {
    const first = Math.floor(minuteStart / 1000);
    return this.span(first, first + 60);
  }

  private span(fromSecond: number, toSecond: number): Aggregate {
    const parts: Aggregate[] = [];
    let last: Slot | undefined;
    for (const slot of this.ring) {
      if (slot.second >= fromSecond && slot.second < toSecond) {
        parts.push(slot.toAggregate());
        if (!last || slot.second > last.second) last = slot;
      }
    }
    const merged = mergeAggregates(parts, fromSecond * 1000, (toSecond - fromSecond) * 1000);
    merged.instances = 1;
    // RSS is a level, not a rate: report the latest, not the max of the span.
    if (last && last.rssBytes > 0) merged.rssBytes = last.rssBytes;
    const withCpu = parts.filter((p) => p.cpuPercent > 0);
    merged.cpuPercent = withCpu.length === 0 ? 0 : withCpu.reduce((n, p) => n + p.cpuPercent, 0) / withCpu.length;
    return merged;
  }

  private startSampling(): void {
    const resolutionMs = 10;
    this.eld = monitorEventLoopDelay({ resolution: resolutionMs });
    this.eld.enable();
    this.lastCpuAt = performance.now();
    this.timer = setInterval(() => this.sampleProcess(resolutionMs), 1000);
    this.timer.unref();
  }

  private sampleProcess(resolutionMs: number): void {
    const eld = this.eld!;
    // The worst stall of the second (a single long task is what users feel); the monitor's samples include
    // its own timer period, so lag is what exceeds it.
    const lagMs = eld.count > 0 ? Math.max(0, eld.max / 1e6 - resolutionMs) : 0;
    eld.reset();
    const cpu = process.cpuUsage(this.lastCpu);
    const at = performance.now();
    const elapsedUs = Math.max(1, (at - this.lastCpuAt) * 1000);
    this.lastCpu = process.cpuUsage();
    this.lastCpuAt = at;
    this.processSample({
      lagMs,
      rssBytes: process.memoryUsage.rss(),
      cpuPercent: ((cpu.user + cpu.system) / elapsedUs) * 100,
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.eld?.disable();
    this.timer = undefined;
  }
}
