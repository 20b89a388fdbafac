import { performance } from 'node:perf_hooks';
import { Client, type Dispatcher } from 'undici';
import { totalDuration, valueAt } from './stages.js';
import { errorKind, takeRequest, type ThreadShared } from './vu.js';
import { createHistogram, type Histogram } from '../metrics/histogram.js';
import { RawHttp1Connection, encodeRequest } from './raw-http1.js';
import type { MetricsSet } from '../metrics/metrics-set.js';

interface UrlSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * What the hot loop accumulates between two seconds: one histogram and flat counters, folded
 * into the MetricsSet once a second (so a request costs one histogram record, not three).
 */
class Accumulator {
  readonly histogram: Histogram = createHistogram();
  readonly statuses = new Uint32Array(600);
  reqs = 0;
  failed = 0;
  readonly errors = new Map<string, number>();

  foldInto(set: MetricsSet): void {
    const step = set.step('url');
    step.duration.add(this.histogram);
    set.duration.add(this.histogram);
    set.iterationDuration.add(this.histogram);
    set.reqs += this.reqs;
    set.iterations += this.reqs;
    set.failed += this.failed;
    step.reqs += this.reqs;
    step.failed += this.failed;
    for (let status = 0; status < this.statuses.length; status++) {
      const n = this.statuses[status];
      if (n === 0) continue;
      const key = status === 0 ? 'error' : String(status);
      step.statuses[key] = (step.statuses[key] ?? 0) + n;
      if (status >= 400 && status < 600) step.errors[key] = (step.errors[key] ?? 0) + n;
    }
    for (const [kind, n] of this.errors) step.errors[kind] = (step.errors[kind] ?? 0) + n;
    this.histogram.reset();
    this.statuses.fill(0);
    this.reqs = 0;
    this.failed = 0;
    this.errors.clear();
  }
}

/**
 * The autocannon-style hot loop for `--url` in the closed model: one connection per VU, one
 * reused request-options object and one reused handler per VU, no promises and no closures per
 * request; the next request is dispatched from the completion callback.
 */
class UrlVu implements Dispatcher.DispatchHandler {
  private status = 0;
  private t0 = 0;
  running = false;

  constructor(
    private readonly client: Client,
    private readonly opts: Dispatcher.DispatchOptions,
    private readonly loop: FastUrlLoop,
    private readonly acc: Accumulator,
    readonly index: number,
  ) {}

  fire(): void {
    takeRequest(this.loop.shared);
    this.status = 0;
    this.t0 = performance.now();
    this.client.dispatch(this.opts, this);
  }

  onConnect(): void {}

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(): boolean {
    return true;
  }

  onComplete(): void {
    const acc = this.acc;
    const micros = Math.round((performance.now() - this.t0) * 1000);
    acc.histogram.recordValue(micros < 1 ? 1 : micros);
    acc.reqs++;
    const status = this.status;
    acc.statuses[status < 600 ? status : 0]++;
    if (status >= 400 || status < 200) acc.failed++;
    if (this.loop.keepGoing(this.index)) this.fire();
    else this.stop();
  }

  onError(error: Error): void {
    const acc = this.acc;
    const micros = Math.round((performance.now() - this.t0) * 1000);
    acc.histogram.recordValue(micros < 1 ? 1 : micros);
    acc.reqs++;
    acc.failed++;
    acc.statuses[0]++;
    const kind = errorKind(error);
    acc.errors.set(kind, (acc.errors.get(kind) ?? 0) + 1);
    // After a connection error, back off a little instead of spinning.
    if (this.loop.keepGoing(this.index)) setTimeout(() => this.fire(), 10);
    else this.stop();
  }

  private stop(): void {
    this.running = false;
    this.loop.vuDone();
  }
}

/** The same loop over plain http with a pre-encoded request (see raw-http1.ts). */
class RawUrlVu {
  private t0 = 0;
  private readonly conn: RawHttp1Connection;
  running = false;

  constructor(
    url: URL,
    request: Buffer,
    headRequest: boolean,
    timeoutMs: number,
    private readonly loop: FastUrlLoop,
    private readonly acc: Accumulator,
    readonly index: number,
  ) {
    this.conn = new RawHttp1Connection(
      url.hostname,
      Number(url.port || 80),
      request,
      headRequest,
      timeoutMs,
      this.done,
    );
  }

  fire(): void {
    takeRequest(this.loop.shared);
    this.t0 = performance.now();
    this.conn.send();
  }

  close(): void {
    this.conn.close();
  }

  private readonly done = (status: number, errorKind: string | null): void => {
    const acc = this.acc;
    const micros = Math.round((performance.now() - this.t0) * 1000);
    acc.histogram.recordValue(micros < 1 ? 1 : micros);
    acc.reqs++;
    acc.statuses[status < 600 ? status : 0]++;
    if (status >= 400 || status < 200) acc.failed++;
    if (errorKind !== null) acc.errors.set(errorKind, (acc.errors.get(errorKind) ?? 0) + 1);
    if (!this.loop.keepGoing(this.index)) {
      this.running = false;
      this.loop.vuDone();
    } else if (errorKind !== null) {
      // After a connection error, back off a little instead of spinning.
      setTimeout(() => this.fire(), 10);
    } else {
      this.fire();
    }
  };
}

export class FastUrlLoop {
  private readonly vus: Array<UrlVu | RawUrlVu> = [];
  private readonly clients: Client[] = [];
  private readonly acc = new Accumulator();
  private target = 0;
  private running = 0;
  private finished?: () => void;

  constructor(
    readonly shared: ThreadShared,
    private readonly spec: UrlSpec,
  ) {}

  keepGoing(index: number): boolean {
    return !this.shared.stopped && index < this.target;
  }

  vuDone(): void {
    this.running--;
    this.shared.recorder.vuStopped();
    if (this.running === 0 && this.shared.stopped) this.finished?.();
  }

  async run(startedAt: number): Promise<void> {
    const { plan, recorder } = this.shared;
    recorder.beforeSwap = (set) => this.acc.foldInto(set);
    const url = new URL(this.spec.url);
    const total = totalDuration(plan.stages);
    const headers = Object.keys(this.spec.headers).length ? { ...this.spec.headers } : undefined;
    const opts: Dispatcher.DispatchOptions = {
      path: url.pathname + url.search,
      method: this.spec.method,
      headers,
      body: this.spec.body,
    };
    const raw =
      url.protocol === 'http:' ? encodeRequest(this.spec.method, url, this.spec.headers, this.spec.body) : undefined;
    const adjust = (): void => {
      this.target = Math.round(valueAt(plan.start, plan.stages, Math.min(performance.now() - startedAt, total)));
      for (let i = 0; i < this.target; i++) {
        if (!this.vus[i] && raw) {
          this.vus[i] = new RawUrlVu(url, raw, this.spec.method === 'HEAD', plan.timeoutMs, this, this.acc, i);
        } else if (!this.vus[i]) {
          const client = new Client(url.origin, {
            pipelining: 1,
            keepAliveTimeout: 30_000,
            headersTimeout: plan.timeoutMs,
            bodyTimeout: plan.timeoutMs,
          });
          this.clients.push(client);
          this.vus[i] = new UrlVu(client, opts, this, this.acc, i);
        }
        const vu = this.vus[i];
        if (!vu.running) {
          vu.running = true;
          this.running++;
          recorder.vuStarted();
          vu.fire();
        }
      }
    };
    adjust();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (this.shared.stopped || performance.now() - startedAt >= total) {
          clearInterval(timer);
          resolve();
          return;
        }
        adjust();
      }, 100);
    });
    this.shared.stopped = true;
    if (this.running > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.finished = resolve;
        timer = setTimeout(resolve, plan.gracefulStopMs);
      });
      clearTimeout(timer);
    }
    for (const vu of this.vus) if (vu instanceof RawUrlVu) vu.close();
    await Promise.all(this.clients.map((c) => c.destroy().catch(() => undefined)));
  }
}
