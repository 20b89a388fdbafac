import { request } from 'undici';
import { parsePrometheus, type Sample } from './prometheus.js';
import { TargetSeries, type SeriesSummary, type TargetMetric } from './target-series.js';

export interface TargetReport {
  /** Whether /metrics answered with Prometheus text during the run. */
  scraped: boolean;
  scrapes: number;
  cacheHitRate?: number;
  cacheLookups?: Record<string, number>;
  eventLoopLagP99Ms?: number;
  /** CPU over the run as a share of one core. */
  cpu?: number;
  /** The target's process id, when the load tester started it (--self): never the generator's. */
  pid?: number;
  /** Per scrape interval (target_cpu %, target_memory MB, lag and Redis/DB latency ms): avg, min, max, last. */
  series?: Partial<Record<TargetMetric, SeriesSummary>>;
  note?: string;
}

const sum = (samples: Sample[], pick: (s: Sample) => boolean): number =>
  samples.filter(pick).reduce((a, s) => a + s.value, 0);

/**
 * Scrapes the target's /metrics during the run (every few seconds) and turns counter deltas into
 * what the judgement needs: cache hit rate by tier, event-loop lag, CPU. Absent families are fine.
 */
export class TargetScraper {
  private first?: { at: number; samples: Sample[] };
  private last?: { at: number; samples: Sample[] };
  private lagMax = 0;
  private scrapes = 0;
  private timer?: NodeJS.Timeout;
  private failure?: string;
  private readonly series = new TargetSeries();

  constructor(
    private readonly metricsUrl: string,
    private readonly everyMs = 5000,
    /** The target's METRICS_TOKEN: without it a production Tessera answers /metrics with 401. */
    private readonly token?: string,
  ) {}

  start(): void {
    void this.scrape();
    this.timer = setInterval(() => void this.scrape(), this.everyMs);
  }

  async stop(): Promise<TargetReport> {
    clearInterval(this.timer);
    await this.scrape();
    return this.report();
  }

  private async scrape(): Promise<void> {
    try {
      const res = await request(this.metricsUrl, {
        headersTimeout: 2000,
        bodyTimeout: 2000,
        ...(this.token ? { headers: { authorization: `Bearer ${this.token}` } } : {}),
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) {
        this.failure =
          res.statusCode === 401
            ? `GET /metrics answered 401: give the target's METRICS_TOKEN (--metrics-token)`
            : `GET /metrics answered ${res.statusCode}`;
        return;
      }
      const samples = parsePrometheus(text);
      if (samples.length === 0) return;
      this.scrapes++;
      const snap = { at: Date.now(), samples };
      const baseline = this.first === undefined;
      this.first ??= snap;
      if (this.last && snap.at > this.last.at) this.series.add(this.last, snap);
      this.last = snap;
      // The first scrape is the baseline: its lag (prom-client's since the previous scrape) covers the target's
      // start-up or whatever ran before the load, not the run.
      if (baseline) return;
      const lag =
        samples.find((s) => s.name === 'nodejs_eventloop_lag_p99_seconds') ??
        samples.find((s) => s.name === 'nodejs_eventloop_lag_seconds');
      if (lag) this.lagMax = Math.max(this.lagMax, lag.value * 1000);
    } catch (error) {
      this.failure = `GET /metrics failed (${(error as { code?: string }).code ?? (error as Error).message})`;
    }
  }

  report(): TargetReport {
    if (!this.first || !this.last)
      return { scraped: false, scrapes: 0, note: this.failure ?? 'the target has no /metrics' };
    const out: TargetReport = { scraped: true, scrapes: this.scrapes };
    const a = this.first.samples;
    const b = this.last.samples;
    const isCache = (s: Sample): boolean =>
      /cache/.test(s.name) && /_total$/.test(s.name) && s.labels.result !== undefined;
    const lookups: Record<string, number> = {};
    for (const s of b.filter(isCache)) {
      const before =
        a.find((x) => x.name === s.name && JSON.stringify(x.labels) === JSON.stringify(s.labels))?.value ?? 0;
      const key = `${(s.labels.tier ?? 'all').toUpperCase()}:${s.labels.result.toLowerCase()}`;
      lookups[key] = (lookups[key] ?? 0) + Math.max(0, s.value - before);
    }
    const hitRate = cacheHitRate(lookups);
    if (hitRate !== undefined) {
      out.cacheHitRate = hitRate;
      out.cacheLookups = lookups;
    }
    if (this.lagMax > 0) out.eventLoopLagP99Ms = round(this.lagMax);
    const cpuA = sum(a, (s) => s.name === 'process_cpu_seconds_total');
    const cpuB = sum(b, (s) => s.name === 'process_cpu_seconds_total');
    const seconds = (this.last.at - this.first.at) / 1000;
    if (cpuB > 0 && seconds >= 0.5) out.cpu = round((cpuB - cpuA) / seconds);
    const series = this.series.summary();
    if (Object.keys(series).length) out.series = series;
    return out;
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * Share of validations a cache tier answered. With per-tier counters (L1 first, then L2) every
 * validation passes L1, so L1 lookups are the denominator and L1 + L2 hits (negative hits included:
 * an unknown token answered from cache) the numerator; otherwise hits / (hits + misses).
 */
export function cacheHitRate(lookups: Record<string, number>): number | undefined {
  const get = (k: string): number => lookups[k] ?? 0;
  const l1 = get('L1:hit') + get('L1:miss') + get('L1:negative');
  if (l1 > 0) return round(Math.min(1, (get('L1:hit') + get('L1:negative') + get('L2:hit') + get('L2:negative')) / l1));
  let hits = 0;
  let all = 0;
  for (const [key, n] of Object.entries(lookups)) {
    if (key.startsWith('DB:')) continue;
    all += n;
    if (/:(hit|negative)$/.test(key)) hits += n;
  }
  return all > 0 ? round(hits / all) : undefined;
}
