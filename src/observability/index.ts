import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import { AlertEvaluator, type LockLease } from './alerts/evaluator.js';
import { logChannel, webhookChannel, type AlertLogger } from './alerts/channels.js';
import { RedisInfoPoller } from './redis-info.js';
import { builtInRules, mergeRules } from './alerts/rules.js';
import { AlertsService } from './alerts/service.js';
import { FileAlertStore, RedisAlertStore, SqlAlertStore, type AlertStore, type AlertTables } from './alerts/store.js';
import { SqlHistoryStore, type HistoryTables } from './history-store-sql.js';
import type { AlertChannel } from './alerts/types.js';
import type { DependencyStatus, HealthScore } from './health-score.js';
import { History } from './history.js';
import type { HistoryStore } from './history-store.js';
import { MemoryHistoryStore } from './history-store-memory.js';
import { RedisHistoryStore } from './history-store-redis.js';
import { createMetrics, type Metrics } from './metrics.js';
import { Recorder } from './recorder.js';
import { emptyAggregate } from './aggregate.js';
import { buildSummary, type Summary } from './summary.js';

export type { Metrics } from './metrics.js';
export type { Summary } from './summary.js';
export type { RedisInfoSnapshot, RedisNodeInfo } from './redis-info.js';
export type { DependencyStatus, HealthScore } from './health-score.js';
export { sessionStatsFromStore, type SessionStats, type SessionStatsSource } from './session-stats.js';

/** What the cache layer offers the admin cache endpoints. */
export interface CacheAdmin {
  stats(): Promise<{
    l1: { size: number; max: number; hits: number; misses: number; evictions: number };
    l2?: {
      hits: number;
      misses: number;
      errors: number;
      breaker: string;
      hotKeys: Array<{ key: string; count: number }>;
      memory?: { usedBytes: number; maxBytes: number; policy: string };
    };
  }>;
  /** Runs a warming pass now: every strategy, or only the given sessions and users' sessions. */
  warm(request?: { sessionIds?: string[]; userIds?: string[] }): Promise<{ warmed: number; bytes?: number }>;
  /** The last warming pass and when each strategy last ran (absent where warming is not wired). */
  warming?(): { last: unknown; strategies: Record<string, { at: number; warmed: number }> };
  /** Empties L1 here, L2, and (through the invalidation bus) L1 on every instance. */
  flush(): Promise<{ l1: number; l2: number }>;
}

/** The settings this layer reads (from Config; see observabilitySettings). */
export interface ObservabilitySettings {
  metricsEnabled: boolean;
  dataDir: string;
  redisKeyPrefix: string;
  historyRetentionMs: number;
  alertEvalIntervalMs: number;
  alertRulesFile?: string;
  alertWebhook?: string;
  latencyTargetMs: number;
  rssBudgetBytes: number;
  cleanupIntervalMs: number;
  sessionIdleTtlMs: number;
  /** How often the sessions table and Redis INFO are polled (MONITOR_INTERVAL). */
  monitorIntervalMs: number;
  /** Alert e-mails (TESSERA_ALERT_EMAIL_TO through TESSERA_ALERT_SMTP_URL). */
  alertEmail?: { to: string[]; from: string; smtpUrl: string };
}

export type ObservabilityConfig = Pick<
  Config,
  | 'metricsEnabled'
  | 'dataDir'
  | 'redisKeyPrefix'
  | 'metricsHistoryRetention'
  | 'alertEvalInterval'
  | 'alertRules'
  | 'alertWebhook'
  | 'healthP99Target'
  | 'rssBudgetBytes'
  | 'cleanupInterval'
  | 'sessionIdleTtl'
  | 'monitorInterval'
  | 'alertEmailTo'
  | 'alertEmailFrom'
  | 'alertSmtpUrl'
>;

export function observabilitySettings(c: ObservabilityConfig): ObservabilitySettings {
  return {
    metricsEnabled: c.metricsEnabled,
    dataDir: c.dataDir,
    redisKeyPrefix: c.redisKeyPrefix,
    historyRetentionMs: c.metricsHistoryRetention,
    alertEvalIntervalMs: c.alertEvalInterval,
    alertRulesFile: c.alertRules,
    alertWebhook: c.alertWebhook,
    latencyTargetMs: c.healthP99Target,
    rssBudgetBytes: c.rssBudgetBytes,
    cleanupIntervalMs: c.cleanupInterval,
    sessionIdleTtlMs: c.sessionIdleTtl,
    monitorIntervalMs: c.monitorInterval,
    ...(c.alertEmailTo && c.alertSmtpUrl
      ? { alertEmail: { to: [...c.alertEmailTo], from: c.alertEmailFrom, smtpUrl: c.alertSmtpUrl } }
      : {}),
  };
}

export interface ObservabilityOptions {
  settings: ObservabilitySettings;
  logger: AlertLogger;
  /** Shared Redis: history, live view and alert state become cluster-wide. */
  redis?: Redis | Cluster;
  /** Without Redis, the store's database (tables of migration 0002) keeps them: shared by instances, kept across restarts. */
  db?: Kysely<HistoryTables & AlertTables>;
  /** The store's named leases (store.locks); alerts are evaluated only by the holder. In-process when absent. */
  locks?: LockLease;
  instanceId?: string;
  /** Each dependency's state, for /ready, the summary and the health score. */
  dependencies?: () => Promise<Record<string, DependencyStatus>>;
  cache?: CacheAdmin;
  now?: () => number;
  /** Overrides (tests). */
  historyStore?: HistoryStore;
  alertStore?: AlertStore;
  alertChannels?: AlertChannel[];
  alertIntervalMs?: number;
  sampleProcess?: boolean;
}

export interface Readiness {
  ready: boolean;
  dependencies: Record<string, DependencyStatus>;
  health: HealthScore;
}

/** The observability layer, assembled once by the lifecycle owner; routes and hooks take it as a dependency. */
export class Observability {
  readonly instanceId: string;
  readonly startedAt: number;
  private readonly now: () => number;

  private constructor(
    readonly options: ObservabilityOptions,
    readonly metrics: Metrics,
    readonly history: History | undefined,
    readonly alerts: AlertsService,
    readonly evaluator: AlertEvaluator | undefined,
    instanceId: string,
    /** The one Redis INFO poller (per node on a Cluster); undefined without Redis or metrics. */
    readonly redisInfo: RedisInfoPoller | undefined,
    private readonly closeChannels: () => void,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.instanceId = instanceId;
  }

  static async create(options: ObservabilityOptions): Promise<Observability> {
    const { settings: config, logger } = options;
    const now = options.now ?? Date.now;
    const instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    const onError = (err: unknown, what: string): void =>
      logger.warn({ err: String((err as Error)?.message ?? err) }, `observability: ${what} failed`);
    const prefix = config.redisKeyPrefix;

    const recorder = config.metricsEnabled
      ? new Recorder({ now, sampleProcess: options.sampleProcess ?? true })
      : undefined;
    const metrics = createMetrics({
      enabled: config.metricsEnabled,
      latencyTargetMs: config.latencyTargetMs,
      recorder,
      now,
    });

    let history: History | undefined;
    if (recorder) {
      const store =
        options.historyStore ??
        (options.redis
          ? new RedisHistoryStore(options.redis, prefix, config.historyRetentionMs)
          : options.db
            ? new SqlHistoryStore(options.db as unknown as Kysely<HistoryTables>, config.historyRetentionMs)
            : await MemoryHistoryStore.file(
                join(config.dataDir, 'metrics-history.jsonl'),
                config.historyRetentionMs,
                now(),
              ));
      history = new History({
        recorder,
        store,
        instanceId,
        retentionMs: config.historyRetentionMs,
        now,
        onError,
        lastCleanupAt: () => metrics.lastCleanupAt,
      });
    }

    let defaultRules = builtInRules({
      rssBudgetBytes: config.rssBudgetBytes,
      cleanupIntervalMs: config.cleanupIntervalMs,
    });
    // The rule file's reader (yaml) and the e-mail channel (nodemailer) are loaded only when configured.
    if (config.alertRulesFile) {
      const { loadRuleFile } = await import('./alerts/rule-file.js');
      const file = await loadRuleFile(config.alertRulesFile);
      defaultRules = file.builtins ? mergeRules(defaultRules, file.rules) : file.rules;
    }
    const email = config.alertEmail
      ? (await import('./alerts/email-channel.js')).emailChannel(config.alertEmail)
      : undefined;
    const channels = options.alertChannels ?? [
      logChannel(logger),
      ...(config.alertWebhook
        ? [webhookChannel(config.alertWebhook, { onError: (err) => onError(err, 'alert webhook') })]
        : []),
      ...(email ? [email] : []),
    ];
    const alertStore =
      options.alertStore ??
      (options.redis
        ? new RedisAlertStore(options.redis, prefix)
        : options.db
          ? new SqlAlertStore(options.db as unknown as Kysely<AlertTables>)
          : await FileAlertStore.open(join(config.dataDir, 'alerts.json')));
    const alerts = new AlertsService({ store: alertStore, defaultRules, channels, now, onError });
    metrics.setAlertsFiringSource(() => alerts.firingBySeverity());

    let obs: Observability | undefined;
    const evaluator = config.metricsEnabled
      ? new AlertEvaluator({
          store: alertStore,
          rules: () => alerts.rules(),
          signals: async () => (await obs!.summary()).signals,
          channels,
          lock: options.locks ?? localLock(),
          instanceId,
          intervalMs: options.alertIntervalMs ?? config.alertEvalIntervalMs,
          now,
          onError,
        })
      : undefined;
    const redisInfo =
      options.redis && config.metricsEnabled
        ? new RedisInfoPoller(options.redis, {
            intervalMs: config.monitorIntervalMs,
            now,
            onError,
            onSnapshot: (s) => {
              if (!s.nodes.some((n) => n.up)) return;
              metrics.level('redisMemoryBytes', s.usedMemoryBytes);
              metrics.level('redisMaxMemoryBytes', s.maxMemoryBytes);
              metrics.level('redisKeys', s.keys);
              metrics.level('redisEvictedKeys', s.evictedKeys);
            },
          })
        : undefined;
    if (redisInfo) metrics.setRedisInfoSource(() => redisInfo.latest());
    obs = new Observability(options, metrics, history, alerts, evaluator, instanceId, redisInfo, () => email?.close());
    return obs;
  }

  start(): void {
    this.history?.start();
    this.evaluator?.start();
    this.redisInfo?.start();
    this.metrics.pollSessionStats(this.options.settings.monitorIntervalMs);
  }

  async stop(): Promise<void> {
    await this.evaluator?.stop();
    await this.redisInfo?.stop();
    await this.history?.stop();
    this.metrics.stop();
    this.closeChannels();
  }

  async dependencies(): Promise<Record<string, DependencyStatus>> {
    try {
      return (await this.options.dependencies?.()) ?? {};
    } catch (err) {
      return { probe: { state: 'down', detail: String((err as Error).message ?? err) } };
    }
  }

  /** "Now" across every instance: the figures, the health score and the signals alert rules read. */
  async summary(): Promise<Summary> {
    const config = this.options.settings;
    const [live, sessions, dependencies] = await Promise.all([
      this.history ? this.history.live() : Promise.resolve(undefined),
      this.metrics.sessionStats(),
      this.dependencies(),
    ]);
    const summary = buildSummary({
      now: this.now(),
      live: live ?? emptyAggregate(this.now(), 10_000),
      sessions,
      dependencies,
      lastCleanupAt: this.metrics.lastCleanupAt,
      startedAt: this.startedAt,
      redis: this.redisInfo?.latest(),
      sessionIdleTtlMs: config.sessionIdleTtlMs,
      targets: { p99Ms: config.latencyTargetMs, rssBudgetBytes: config.rssBudgetBytes },
    });
    this.metrics.setHealthScore(summary.health.score);
    return summary;
  }

  /** For GET /ready: not ready while the database is down (Redis down only degrades). */
  async readiness(): Promise<Readiness> {
    const summary = await this.summary();
    return {
      ready: summary.dependencies.database?.state !== 'down',
      dependencies: summary.dependencies,
      health: summary.health,
    };
  }
}

/** A lease inside one process (embedded mode with one process, tests). */
export function localLock(): LockLease & { holder(name: string): string | undefined } {
  const leases = new Map<string, { owner: string; until: number }>();
  return {
    async tryAcquire(name, owner, ttlMs, now) {
      const l = leases.get(name);
      if (l && l.owner !== owner && l.until > now) return false;
      leases.set(name, { owner, until: now + ttlMs });
      return true;
    },
    async release(name, owner) {
      if (leases.get(name)?.owner === owner) leases.delete(name);
    },
    holder: (name) => leases.get(name)?.owner,
  };
}
