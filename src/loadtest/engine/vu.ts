import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, errors as undiciErrors, type Dispatcher } from 'undici';
import type { Recorder } from './recorder.js';
import { CookieJar } from './cookies.js';
import { cacheTier, makeResponse, type LoadResponse } from './response.js';
import type { RunPlan } from '../types.js';
import { DEFAULT_PASSWORD, userEmail } from '../types.js';

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as JSON with Content-Type: application/json. */
  json?: unknown;
  body?: string;
  /** Statuses that count as success (default: 200–399). */
  expect?: readonly number[];
  /** Skip the think time before this request. */
  noThink?: boolean;
}

export interface ThreadShared {
  plan: RunPlan;
  recorder: Recorder;
  /** Per-thread dispatcher for absolute URLs outside the target origin. */
  other: Dispatcher;
  /** Global index of this thread, and how many there are (for unique names). */
  part: number;
  parts: number;
  stopped: boolean;
  /** performance.now() of this thread when the run started. */
  startedAt: number;
  /** Requests this thread may still send (-n/--requests), or Infinity. */
  budget: number;
}

/** Counts one request against the -n budget; the last one stops the thread (iterations in flight finish). */
export function takeRequest(shared: ThreadShared): void {
  if (--shared.budget <= 0) shared.stopped = true;
}

/** A virtual user: its own connection, cookies and captured variables. */
export class Vu {
  iteration = 0;
  readonly vars: Record<string, unknown> = {};
  readonly cookies = new CookieJar();
  /** Open model: when this iteration should have started (coordinated-omission correction). */
  intendedStart: number | undefined;
  private requestsThisIteration = 0;
  private readonly client: Client;
  private readonly origin: string;

  constructor(
    readonly id: number,
    readonly shared: ThreadShared,
  ) {
    this.origin = new URL(shared.plan.target).origin;
    this.client = new Client(this.origin, {
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: shared.plan.timeoutMs,
      bodyTimeout: shared.plan.timeoutMs,
    });
  }

  /** The seeded user this VU logs in as. */
  get user(): { email: string; password: string; index: number } {
    const users = Math.max(1, this.shared.plan.users);
    const index = (this.id % users) + 1;
    return { email: userEmail(index), password: this.shared.plan.password || DEFAULT_PASSWORD, index };
  }

  get setupData(): unknown {
    return this.shared.plan.setupData;
  }

  get stopping(): boolean {
    return this.shared.stopped;
  }

  beginIteration(intendedStart: number | undefined): void {
    this.intendedStart = intendedStart;
    this.requestsThisIteration = 0;
  }

  endIteration(): void {
    this.iteration++;
  }

  async think(): Promise<void> {
    const [min, max] = this.shared.plan.thinkMs;
    if (max <= 0) return;
    await sleep(min + Math.random() * (max - min));
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms);
  }

  check(name: string, ok: boolean): boolean {
    this.shared.recorder.current.recordCheck(name, ok);
    return ok;
  }

  count(name: string, by = 1): void {
    this.shared.recorder.current.count(name, by);
  }

  /** One value (ms) of a scenario trend, e.g. attack_time_to_block. */
  trend(name: string, ms: number): void {
    this.shared.recorder.current.recordTrend(name, ms * 1000);
  }

  /** Milliseconds since the run started. */
  get elapsedMs(): number {
    return performance.now() - this.shared.startedAt;
  }

  async request(step: string, method: string, url: string, options: RequestOptions = {}): Promise<LoadResponse> {
    if (this.requestsThisIteration > 0 && !options.noThink) await this.think();
    takeRequest(this.shared);
    const absolute = /^https?:\/\//i.test(url);
    const target = absolute ? new URL(url) : undefined;
    const sameOrigin = !target || target.origin === this.origin;
    const headers: Record<string, string> = { ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const cookie = this.cookies.header();
    if (cookie && headers.cookie === undefined) {
      headers.cookie = cookie;
      if (method !== 'GET' && method !== 'HEAD') headers.origin ??= this.origin;
    }
    const path = target ? target.pathname + target.search : url;
    // Coordinated omission: the first request of a late open-model iteration counts from when it should have started.
    const start =
      this.requestsThisIteration === 0 && this.intendedStart !== undefined
        ? Math.min(this.intendedStart, performance.now())
        : performance.now();
    this.requestsThisIteration++;
    let response: LoadResponse;
    try {
      const dispatcher: Dispatcher = sameOrigin ? this.client : this.shared.other;
      const res = await dispatcher.request({
        origin: target?.origin ?? this.origin,
        path,
        method: method,
        headers,
        body,
      });
      const text = await res.body.text();
      response = makeResponse(res.statusCode, res.headers, text, performance.now() - start);
    } catch (error) {
      response = makeResponse(0, {}, '', performance.now() - start, errorKind(error));
    }
    this.record(step, response, options.expect);
    return response;
  }

  private record(step: string, res: LoadResponse, expect: readonly number[] | undefined): void {
    const set = this.shared.recorder.current;
    const metrics = set.step(step);
    const ok = res.status !== 0 && (expect ? expect.includes(res.status) : res.status >= 200 && res.status < 400);
    let kind: string | null = null;
    if (!ok) kind = res.status === 0 ? (res.error ?? 'network error') : `${res.status}${errorCode(res)}`;
    set.recordRequest(metrics, Math.round(res.durationMs * 1000), res.status, !ok, kind);
    if (res.status !== 0) {
      this.cookies.store(res.headers['set-cookie']);
      const tier = cacheTier(res.headers['server-timing']);
      if (tier) metrics.cache[tier] = (metrics.cache[tier] ?? 0) + 1;
    }
  }

  destroy(): Promise<void> {
    return this.client.destroy().catch(() => undefined);
  }
}

function errorCode(res: LoadResponse): string {
  const body = res.json<{ error?: { code?: unknown } }>();
  const code = body && typeof body === 'object' ? body.error?.code : undefined;
  return typeof code === 'string' && code.length < 40 ? ` ${code}` : '';
}

export function errorKind(error: unknown): string {
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  )
    return 'timeout';
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'error';
}
