import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { TesseraError } from '../../errors/index.js';
import type { LoadTestRunRecord, LoadTestsRepository } from '../../store/types.js';
import { compareToBaseline } from '../baseline/compare.js';
import type { Report } from '../report/types.js';
import type { SeedLocally } from '../scenarios/seed.js';
import { executeRun, statusOf, summaryOf, type RunProgress } from './execute.js';
import { HEARTBEAT_MS, LOADTEST_LIMITS, STALE_AFTER_MS } from './limits.js';
import { listPresets } from './presets.js';
import { prepareRun, type StartInput } from './run-request.js';
import { canonicalHost, selfUrl, type SelfAddress } from './target.js';
import { runView, type RunView } from './views.js';

export interface LoadTestServiceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface LoadTestServiceOptions {
  repository: LoadTestsRepository;
  /** LOADTEST_ALLOW_HOSTS. */
  allowHosts: readonly string[];
  /** METRICS_TOKEN: runs against this server scrape its /metrics with it (never sent to another host). */
  metricsToken?: string;
  /** The server's client-address rule (TRUST_PROXY); absent or with protection off, attack scenarios harm nothing. */
  clientIp?: (remoteAddress: string, forwardedFor: string) => string;
  protectionEnabled: boolean;
  /** IP_ALLOWLIST: whether an address skips the rate limits (else a run against this server measures its limits). */
  exemptFromLimits?: (ip: string) => boolean;
  logger: LoadTestServiceLogger;
  instanceId: string;
  /** Generate the load in a worker thread. Default: when the built worker entry exists (always in the package). */
  threaded?: boolean;
  /** Creates load-test accounts in this process (runs against this server itself seed without signup limits). */
  seedLocally?: SeedLocally;
  heartbeatMs?: number;
  staleAfterMs?: number;
  now?: () => number;
}

interface ActiveRun {
  id: string;
  progress: RunProgress | undefined;
  stopReason: string | undefined;
  stop(reason: string): void;
  done: Promise<void>;
}

const WORKER_ENTRY = new URL('../engine/worker-entry.js', import.meta.url);

/** The address a run against this server connects from and to. */
function ownAddress(self: SelfAddress): string {
  const host = canonicalHost(self.host);
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
}
const STALE_MESSAGE = 'the instance running this load test stopped before it finished';

/**
 * Load tests run by the server (`/v1/admin/loadtests`): one at a time per instance, bounded, only against this
 * server or an allow-listed host. Runs, reports and baselines live in the database (every instance lists the same
 * runs, a restart keeps them); the live progress of a run stays in memory on the instance running it, which also
 * writes a heartbeat (with a progress snapshot) every few seconds and picks up stops asked for on other instances.
 */
export class LoadTestService {
  private active: ActiveRun | undefined;
  private readonly repository: LoadTestsRepository;
  private readonly threaded: boolean;
  private readonly heartbeatMs: number;
  private readonly staleAfterMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LoadTestServiceOptions) {
    this.repository = options.repository;
    // Built (dist/) the engine has its worker entry; run from TypeScript sources (tests) it has not, and runs in-process.
    this.threaded = options.threaded ?? existsSync(fileURLToPath(WORKER_ENTRY));
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * bruteforce and bot fail logins from addresses they put in X-Forwarded-For. Unless this server believes that
   * header from its own address, those failures would count against the server's own address: they would lock it
   * out and ban it for every client behind it.
   */
  attacksOnSelf(self: SelfAddress): { allowed: boolean; reason?: string } {
    if (!this.options.protectionEnabled || !this.options.clientIp) return { allowed: true };
    if (this.options.clientIp(ownAddress(self), '192.0.2.1') === '192.0.2.1') return { allowed: true };
    return {
      allowed: false,
      reason:
        "bruteforce and bot send client addresses in X-Forwarded-For, which this server does not trust from its own address (TRUST_PROXY): their failed logins would lock out and ban the server's own address",
    };
  }

  presets(self: SelfAddress) {
    const own = ownAddress(self);
    const notes =
      this.options.protectionEnabled && !(this.options.exemptFromLimits?.(own) ?? false)
        ? [
            `Runs against this server come from its own address (${own}) and meet its rate limits and anomaly rules like any client: add ${own} to IP_ALLOWLIST to measure the service rather than its protection.`,
          ]
        : [];
    return {
      ...listPresets({
        selfUrl: selfUrl(self),
        allowHosts: this.options.allowHosts,
        attacksOnSelf: this.attacksOnSelf(self),
      }),
      notes,
    };
  }

  /** Validates, reserves this instance's slot, records the run and starts it; answers at once with the running run. */
  async start(input: StartInput, context: { self: SelfAddress; createdBy: string | null }): Promise<RunView> {
    const prepared = await prepareRun(input, {
      self: context.self,
      allowHosts: this.options.allowHosts,
      attacksOnSelf: this.attacksOnSelf(context.self),
      threaded: this.threaded,
      metricsToken: this.options.metricsToken,
    });
    // No await between this check and taking the slot: two requests at once cannot both get it.
    if (this.active) throw new TesseraError('loadtest_running');
    let resolveStop!: (reason: string) => void;
    const stopped = new Promise<string>((resolve) => (resolveStop = resolve));
    let finished!: () => void;
    const active: ActiveRun = {
      id: randomUUID(),
      progress: undefined,
      stopReason: undefined,
      stop: (reason) => {
        if (active.stopReason !== undefined) return;
        active.stopReason = reason;
        resolveStop(reason);
      },
      done: new Promise<void>((resolve) => (finished = resolve)),
    };
    this.active = active;
    const now = this.now();
    const record: LoadTestRunRecord = {
      id: active.id,
      name: prepared.name,
      kind: prepared.kind,
      preset: prepared.preset,
      params: prepared.params,
      target: prepared.target,
      status: 'running',
      instanceId: this.options.instanceId,
      createdBy: context.createdBy,
      startedAt: now,
      finishedAt: null,
      heartbeatAt: now,
      stopRequestedAt: null,
      progress: null,
      grade: null,
      summary: null,
      error: null,
    };
    try {
      await this.repository.insert(record);
    } catch (error) {
      this.active = undefined;
      finished();
      throw error;
    }
    const log = (line: string): void => this.options.logger.info({ loadtest: active.id }, line);
    log(`load test started: ${prepared.preset} against ${prepared.target} (${Math.round(prepared.totalMs / 1000)} s)`);
    void this.execute(active, prepared, stopped, log).finally(() => {
      if (this.active === active) this.active = undefined;
      finished();
    });
    return runView(record, { now, local: true, baseline: false, withSummary: true });
  }

  private async execute(
    active: ActiveRun,
    prepared: Awaited<ReturnType<typeof prepareRun>>,
    stopped: Promise<string>,
    log: (line: string) => void,
  ): Promise<void> {
    const heartbeat = setInterval(() => {
      this.repository
        .heartbeat(active.id, this.now(), (active.progress ?? null) as Record<string, unknown> | null)
        .then(({ stopRequested }) => stopRequested && active.stop('stopped by an admin'))
        .catch((error: unknown) =>
          this.options.logger.warn({ loadtest: active.id, err: error }, 'load test heartbeat failed'),
        );
    }, this.heartbeatMs);
    heartbeat.unref();
    let finish: Parameters<LoadTestsRepository['finish']>[1];
    try {
      const report = await executeRun(prepared, {
        log,
        stopped,
        progress: (p) => (active.progress = p),
        seedLocally: this.options.seedLocally,
      });
      const status = statusOf(report, active.stopReason);
      finish = {
        status,
        finishedAt: this.now(),
        grade: report.grade,
        summary: summaryOf(report),
        error: null,
        report: JSON.stringify(report),
      };
      log(`load test ${status}: grade ${report.grade}`);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      finish = {
        status: 'error',
        finishedAt: this.now(),
        grade: null,
        summary: null,
        error: message.slice(0, 1000),
        report: null,
      };
      this.options.logger.warn({ loadtest: active.id, err: error }, 'load test failed');
    } finally {
      clearInterval(heartbeat);
    }
    try {
      await this.repository.finish(active.id, finish);
      await this.repository.prune(LOADTEST_LIMITS.keepRuns);
    } catch (error) {
      this.options.logger.error({ loadtest: active.id, err: error }, 'load test result could not be saved');
    }
  }

  /** Recent runs, newest first. */
  async list(limit = 50): Promise<RunView[]> {
    const records = await this.withoutStale(
      await this.repository.list(Math.min(Math.max(limit, 1), LOADTEST_LIMITS.keepRuns)),
    );
    const baselines = await this.repository.baselineIds(records.map((r) => r.id));
    const now = this.now();
    return records.map((r) =>
      runView(r, {
        now,
        local: this.active?.id === r.id,
        liveProgress: this.liveProgress(r.id),
        baseline: baselines.has(r.id),
        withSummary: false,
      }),
    );
  }

  async get(id: string): Promise<RunView> {
    const record = await this.record(id);
    const baseline = (await this.repository.baselineIds([id])).has(id);
    return runView(record, {
      now: this.now(),
      local: this.active?.id === id,
      liveProgress: this.liveProgress(id),
      baseline,
      withSummary: true,
    });
  }

  /**
   * Stops a running run: at once on this instance, through the database on another one. Waits up to `waitMs` for it
   * to end (it finishes its in-flight iterations and saves a partial report); `ended` says whether it did.
   */
  async stop(id: string, waitMs = 10_000): Promise<{ run: RunView; ended: boolean }> {
    const record = await this.record(id);
    if (record.status === 'running') {
      const active = this.active;
      if (active?.id === id) {
        active.stop('stopped by an admin');
        await this.repository.requestStop(id, this.now()).catch(() => false);
        await Promise.race([active.done, sleep(waitMs)]);
      } else {
        await this.repository.requestStop(id, this.now());
        const deadline = Date.now() + waitMs;
        while (Date.now() < deadline && (await this.repository.get(id))?.status === 'running') await sleep(100);
      }
    }
    const run = await this.get(id);
    return { run, ended: run.status !== 'running' };
  }

  /** The JSON report as stored (text). 409 while running; 404 when the run ended without one. */
  async reportJson(id: string): Promise<string> {
    const record = await this.record(id);
    if (record.status === 'running') throw new TesseraError('loadtest_not_finished');
    const text = await this.repository.report(id);
    if (text === undefined)
      throw new TesseraError(
        'not_found',
        `This load test ended without a report${record.error ? ` (${record.error})` : ''}.`,
      );
    return text;
  }

  async report(id: string): Promise<Report> {
    return JSON.parse(await this.reportJson(id)) as Report;
  }

  /** Saves a finished run's report as a baseline (its id is the run's id); `created` is false when it already was one. */
  async saveBaseline(
    id: string,
  ): Promise<{ baseline: { id: string; runId: string; name: string; createdAt: string }; created: boolean }> {
    const report = await this.reportJson(id);
    const record = await this.record(id);
    const name = record.name ?? `${record.preset} ${new Date(record.startedAt).toISOString()}`;
    const createdAt = this.now();
    const created = await this.repository.saveBaseline({ runId: id, name, createdAt, report });
    await this.repository.pruneBaselines(LOADTEST_LIMITS.keepBaselines);
    const saved = created ? { name, createdAt } : ((await this.repository.baseline(id)) ?? { name, createdAt });
    return {
      baseline: { id, runId: id, name: saved.name, createdAt: new Date(saved.createdAt).toISOString() },
      created,
    };
  }

  /** The comparison `tessera loadtest --baseline` makes: p95/p99 up, throughput down or errors up beyond the tolerance. */
  async compare(id: string, baselineId: string, tolerancePct: number) {
    const current = await this.report(id);
    const baseline = await this.repository.baseline(baselineId);
    if (!baseline)
      throw new TesseraError(
        'not_found',
        'No baseline with this id: save one with POST /v1/admin/loadtests/:id/baseline.',
      );
    const comparison = compareToBaseline(current, JSON.parse(baseline.report) as Report, tolerancePct, baseline.name);
    return {
      run: id,
      baseline: { id: baseline.runId, name: baseline.name, createdAt: new Date(baseline.createdAt).toISOString() },
      tolerancePct,
      regressed: comparison.regressed,
      verdicts: comparison.verdicts,
    };
  }

  /** Stops this instance's run (server shutdown) and waits a little for its partial report to be saved. */
  async close(reason = 'the server is shutting down', waitMs = 8_000): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.stop(reason);
    await Promise.race([active.done, sleep(waitMs)]);
  }

  private liveProgress(id: string): RunProgress | undefined {
    return this.active?.id === id
      ? (this.active.progress ?? {
          phase: 'starting',
          elapsedMs: 0,
          totalMs: 0,
          percent: 0,
          reqs: 0,
          rps: 0,
          errorRate: 0,
          p90Ms: 0,
          p99Ms: 0,
          vus: 0,
          dropped: 0,
        })
      : undefined;
  }

  private async record(id: string): Promise<LoadTestRunRecord> {
    const record = await this.repository.get(id);
    if (!record) throw new TesseraError('not_found', 'No load test with this id.');
    return (await this.withoutStale([record]))[0];
  }

  /** Runs whose instance stopped heart-beating end as `error` (once, for every instance to see). */
  private async withoutStale(records: LoadTestRunRecord[]): Promise<LoadTestRunRecord[]> {
    const now = this.now();
    const cutoff = now - this.staleAfterMs;
    const stale = records.filter((r) => r.status === 'running' && r.heartbeatAt < cutoff && r.id !== this.active?.id);
    if (stale.length === 0) return records;
    await this.repository.markStale(cutoff, now, STALE_MESSAGE);
    return records.map((r) =>
      stale.includes(r) ? { ...r, status: 'error', finishedAt: now, error: STALE_MESSAGE, progress: null } : r,
    );
  }
}
