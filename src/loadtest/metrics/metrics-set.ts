import {
  createHistogram,
  createPackedHistogram,
  decodeHistogram,
  encodeHistogram,
  type Histogram,
} from './histogram.js';
import { addCounts, increment, type Counts } from './counts.js';

/** What one step (a named request in a scenario) accumulated. */
export class StepMetrics {
  reqs = 0;
  failed = 0;
  readonly duration: Histogram;
  readonly statuses: Counts = {};
  readonly errors: Counts = {};
  /** Cache tier reported by the target in Server-Timing (L1, L2, DB). */
  readonly cache: Counts = {};

  constructor(newHistogram: () => Histogram = createHistogram) {
    this.duration = newHistogram();
  }
}

export interface StepWire {
  reqs: number;
  failed: number;
  duration: string;
  statuses: Counts;
  errors: Counts;
  cache: Counts;
}

/** The mergeable, JSON-safe encoding of a MetricsSet (histograms as HdrHistogram compressed base64, µs). */
export interface MetricsWire {
  reqs: number;
  failed: number;
  iterations: number;
  dropped: number;
  checksPass: number;
  checksFail: number;
  vus: number;
  vusMax: number;
  duration: string;
  iterationDuration: string;
  steps: Record<string, StepWire>;
  checks: Record<string, { passes: number; fails: number }>;
  counters: Counts;
  /** Scenario trends (µs histograms), e.g. attack_time_to_block; absent in reports from before they existed. */
  trends?: Record<string, string>;
}

/**
 * Everything recorded over some span (one second, a window, a whole run). Memory is bounded:
 * histograms and counters only, never sample lists. Sets merge exactly with add().
 */
export class MetricsSet {
  reqs = 0;
  failed = 0;
  iterations = 0;
  dropped = 0;
  checksPass = 0;
  checksFail = 0;
  /** Last seen and highest active VU count. */
  vus = 0;
  vusMax = 0;
  readonly duration: Histogram;
  readonly iterationDuration: Histogram;
  readonly steps = new Map<string, StepMetrics>();
  readonly checks = new Map<string, { passes: number; fails: number }>();
  readonly counters: Counts = {};
  /** Scenario-specific trends (k6's custom Trend metrics), in µs like the request durations. */
  readonly trends = new Map<string, Histogram>();

  constructor(private readonly newHistogram: () => Histogram = createHistogram) {
    this.duration = newHistogram();
    this.iterationDuration = newHistogram();
  }

  /** The same numbers in sparse histograms: what the sliding-window ring keeps. */
  packed(): MetricsSet {
    const copy = new MetricsSet(createPackedHistogram);
    copy.add(this);
    copy.vus = this.vus;
    copy.vusMax = this.vusMax;
    return copy;
  }

  step(name: string): StepMetrics {
    let step = this.steps.get(name);
    if (!step) {
      step = new StepMetrics(this.newHistogram);
      this.steps.set(name, step);
    }
    return step;
  }

  /** Hot path: one finished request. `status` 0 means no response (network error). */
  recordRequest(step: StepMetrics, micros: number, status: number, failed: boolean, errorKind: string | null): void {
    const us = micros < 1 ? 1 : micros;
    this.reqs++;
    step.reqs++;
    this.duration.recordValue(us);
    step.duration.recordValue(us);
    const key = status === 0 ? 'error' : String(status);
    step.statuses[key] = (step.statuses[key] ?? 0) + 1;
    if (failed) {
      this.failed++;
      step.failed++;
      if (errorKind !== null) step.errors[errorKind] = (step.errors[errorKind] ?? 0) + 1;
    }
  }

  recordIteration(micros: number): void {
    this.iterations++;
    this.iterationDuration.recordValue(micros < 1 ? 1 : micros);
  }

  recordCheck(name: string, ok: boolean): void {
    let check = this.checks.get(name);
    if (!check) {
      check = { passes: 0, fails: 0 };
      this.checks.set(name, check);
    }
    if (ok) {
      this.checksPass++;
      check.passes++;
    } else {
      this.checksFail++;
      check.fails++;
    }
  }

  count(name: string, by = 1): void {
    increment(this.counters, name, by);
  }

  trend(name: string): Histogram {
    let h = this.trends.get(name);
    if (!h) {
      h = this.newHistogram();
      this.trends.set(name, h);
    }
    return h;
  }

  recordTrend(name: string, micros: number): void {
    this.trend(name).recordValue(micros < 1 ? 1 : Math.round(micros));
  }

  add(other: MetricsSet): void {
    this.reqs += other.reqs;
    this.failed += other.failed;
    this.iterations += other.iterations;
    this.dropped += other.dropped;
    this.checksPass += other.checksPass;
    this.checksFail += other.checksFail;
    this.vus = other.vus;
    this.vusMax = Math.max(this.vusMax, other.vusMax);
    this.duration.add(other.duration);
    this.iterationDuration.add(other.iterationDuration);
    for (const [name, step] of other.steps) {
      const mine = this.step(name);
      mine.reqs += step.reqs;
      mine.failed += step.failed;
      mine.duration.add(step.duration);
      addCounts(mine.statuses, step.statuses);
      addCounts(mine.errors, step.errors);
      addCounts(mine.cache, step.cache);
    }
    for (const [name, check] of other.checks) {
      const mine = this.checks.get(name) ?? { passes: 0, fails: 0 };
      mine.passes += check.passes;
      mine.fails += check.fails;
      this.checks.set(name, mine);
    }
    addCounts(this.counters, other.counters);
    for (const [name, h] of other.trends) this.trend(name).add(h);
  }

  /** Error kinds over all steps. */
  errorKinds(): Counts {
    const errors: Counts = {};
    for (const step of this.steps.values()) addCounts(errors, step.errors);
    return errors;
  }

  cacheTiers(): Counts {
    const tiers: Counts = {};
    for (const step of this.steps.values()) addCounts(tiers, step.cache);
    return tiers;
  }

  toWire(): MetricsWire {
    const steps: Record<string, StepWire> = {};
    for (const [name, s] of this.steps) {
      steps[name] = {
        reqs: s.reqs,
        failed: s.failed,
        duration: encodeHistogram(s.duration),
        statuses: { ...s.statuses },
        errors: { ...s.errors },
        cache: { ...s.cache },
      };
    }
    return {
      reqs: this.reqs,
      failed: this.failed,
      iterations: this.iterations,
      dropped: this.dropped,
      checksPass: this.checksPass,
      checksFail: this.checksFail,
      vus: this.vus,
      vusMax: this.vusMax,
      duration: encodeHistogram(this.duration),
      iterationDuration: encodeHistogram(this.iterationDuration),
      steps,
      checks: Object.fromEntries(this.checks),
      counters: { ...this.counters },
      trends: Object.fromEntries([...this.trends].map(([name, h]) => [name, encodeHistogram(h)])),
    };
  }

  static fromWire(wire: MetricsWire): MetricsSet {
    const set = new MetricsSet();
    set.reqs = wire.reqs;
    set.failed = wire.failed;
    set.iterations = wire.iterations;
    set.dropped = wire.dropped;
    set.checksPass = wire.checksPass;
    set.checksFail = wire.checksFail;
    set.vus = wire.vus;
    set.vusMax = wire.vusMax;
    set.duration.add(decodeHistogram(wire.duration));
    set.iterationDuration.add(decodeHistogram(wire.iterationDuration));
    for (const [name, s] of Object.entries(wire.steps)) {
      const step = set.step(name);
      step.reqs = s.reqs;
      step.failed = s.failed;
      step.duration.add(decodeHistogram(s.duration));
      addCounts(step.statuses, s.statuses);
      addCounts(step.errors, s.errors);
      addCounts(step.cache, s.cache);
    }
    for (const [name, c] of Object.entries(wire.checks)) set.checks.set(name, { ...c });
    addCounts(set.counters, wire.counters);
    for (const [name, encoded] of Object.entries(wire.trends ?? {})) set.trend(name).add(decodeHistogram(encoded));
    return set;
  }
}
