import type { InvalidationBus } from '../cache/types.js';
import type { Config, ConfigKey } from '../config/index.js';
import { Anomalies } from './anomalies.js';
import type { CounterBackend, RedisClient } from './backend.js';
import { Bans, type DurableBanStore } from './bans.js';
import { CidrList } from './cidr-lists.js';
import { createClientIpResolver, type ClientIpResolver } from './client-ip.js';
import { DistinctCounter } from './distinct-counter.js';
import { SecurityEvents, type DecisionListener, type SecurityAuditSink, type SecurityEventListener } from './events.js';
import { buildSecurityHeaders, type SecurityHeaders } from './headers.js';
import { LoginGuard } from './login-guard.js';
import { RateLimitPenalties } from './rate-limit-penalties.js';
import { RateLimits } from './rate-limits.js';
import { PENALTY, Reputation } from './reputation.js';

const PROTECTION_KEYS = [
  'protectionEnabled',
  'protectionFeatures',
  'trustProxy',
  'redisKeyPrefix',
  'redisTimeout',
  'rateLimitIpPerMin',
  'rateLimitLoginPerMin',
  'rateLimitSignupPerMin',
  'rateLimitUserPerMin',
  'rateLimitThrottledPerMin',
  'rateLimitValidation',
  'loginMaxConsecutiveFailsPerEmailIp',
  'loginEmailIpLock',
  'loginMaxFailsPerIpPerDay',
  'loginIpBlock',
  'accountLockFails',
  'accountLockMinIps',
  'accountLockWindow',
  'accountLockBase',
  'accountLockMax',
  'accountLockReset',
  'reputationThreshold',
  'reputationRecoveryPerHour',
  'ipAllowlist',
  'ipDenylist',
  'anomalyWindow',
  'anomalyStuffingEmails',
  'anomalyStuffingAction',
  'anomalyDistributedIps',
  'anomalyDistributedAction',
  'anomalySpikePer10s',
  'anomalySpikeAction',
  'anomalySessionClientAction',
  'anomalyInvalidTokensPerMin',
  'anomalyInvalidTokensAction',
  'anomalyBanTtl',
  'anomalyThrottleTtl',
] as const satisfies readonly ConfigKey[];

/** The settings of the protection layer: the rows of the service config it reads (every one has a default). */
export type ProtectionConfig = { readonly [K in (typeof PROTECTION_KEYS)[number]]-?: NonNullable<Config[K]> } & {
  readonly alertWebhook?: string;
};

/** Picks the protection settings out of a loaded config (all have defaults, so all are present). */
export function protectionConfig(config: Config): ProtectionConfig {
  const out: Record<string, unknown> = { alertWebhook: config.alertWebhook };
  for (const key of PROTECTION_KEYS) {
    if (config[key] === undefined) throw new Error(`protection setting ${key} is missing from the config`);
    out[key] = config[key];
  }
  return Object.freeze(out) as ProtectionConfig;
}

export interface ProtectionDeps {
  /** A loaded config (or the result of protectionConfig()). */
  config: Config | ProtectionConfig;
  /** Shared Redis (scaled mode); without it every counter is in-process. */
  redis?: RedisClient;
  /** The invalidation bus; bans travel on it as `{kind:'custom', topic:'bans'}`. */
  bus?: InvalidationBus;
  /** Where security events are written: the store's audit repository or an adapter over the AuditLog. */
  audit?: SecurityAuditSink;
  /** The database table of bans (see bans-sql.ts), so bans survive the loss of Redis. */
  durableBans?: DurableBanStore;
  logger?: { warn(obj: object, msg?: string): void };
  /** Counts every security event (the observability engineer's metrics). */
  onSecurityEvent?: SecurityEventListener;
  /** Counts every allow/refuse decision (rate limits, login guard, reputation, bans, deny list). */
  onDecision?: DecisionListener;
  /** Served over TLS (adds Strict-Transport-Security). */
  tls?: boolean;
  /** A `serve --workers` worker without Redis: rate-limit counters live in the primary (see startClusterCounters). */
  clusterWorker?: boolean;
}

/** Every part of the protection layer, built once from the config; the Fastify plugin and the login route use it. */
export interface Protection {
  readonly enabled: boolean;
  readonly config: ProtectionConfig;
  readonly clientIp: ClientIpResolver;
  readonly allowlist: CidrList;
  readonly denylist: CidrList;
  readonly limits: RateLimits;
  /** Reputation penalties for rate-limit refusals, remembered per protection layer (never shared between apps). */
  readonly rateLimitPenalties: RateLimitPenalties;
  readonly guard: LoginGuard;
  readonly reputation: Reputation;
  readonly anomalies: Anomalies;
  readonly bans: Bans;
  readonly events: SecurityEvents;
  readonly headers: SecurityHeaders;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createProtection(deps: ProtectionDeps): Protection {
  const c = 'mode' in deps.config ? protectionConfig(deps.config) : deps.config;
  const backend: CounterBackend = {
    redis: deps.redis,
    keyPrefix: `${c.redisKeyPrefix}sec:`,
    timeoutMs: c.redisTimeout,
    clusterWorker: deps.clusterWorker,
  };
  const features = c.protectionFeatures;
  const events = new SecurityEvents({
    audit: features.audit ? deps.audit : undefined,
    webhookUrl: features.alerts ? c.alertWebhook : undefined,
    logger: deps.logger,
  });
  if (deps.onSecurityEvent) events.onEvent(deps.onSecurityEvent);
  if (deps.onDecision) events.onDecision(deps.onDecision);
  // Allow-listed addresses are never banned or throttled: an operator behind one can always recover.
  const allowlist = new CidrList(c.ipAllowlist);
  const reputation = new Reputation(backend, {
    threshold: c.reputationThreshold,
    recoveryPerHour: c.reputationRecoveryPerHour,
    enabled: features.reputation,
  });
  const bans = new Bans(backend, {
    bus: deps.bus,
    durable: deps.durableBans,
    neverBan: (ip) => allowlist.contains(ip),
  });
  const anomalies = new Anomalies(
    {
      stuffingEmails: c.anomalyStuffingEmails,
      stuffingAction: c.anomalyStuffingAction,
      distributedIps: c.anomalyDistributedIps,
      distributedAction: c.anomalyDistributedAction,
      spikePer10s: c.anomalySpikePer10s,
      spikeAction: c.anomalySpikeAction,
      sessionClientAction: c.anomalySessionClientAction,
      invalidTokensPerMin: c.anomalyInvalidTokensPerMin,
      invalidTokensAction: c.anomalyInvalidTokensAction,
      banTtlMs: c.anomalyBanTtl,
      throttleTtlMs: c.anomalyThrottleTtl,
      enabled: features.anomalies,
    },
    {
      emailsPerIp: new DistinctCounter(backend, 'an:emails', c.anomalyWindow),
      ipsPerEmail: new DistinctCounter(backend, 'an:ips', c.anomalyWindow),
      events,
      reputation,
      bans,
      allowlist,
    },
  );
  const guard = new LoginGuard(
    backend,
    {
      maxConsecutiveFailsPerEmailIp: c.loginMaxConsecutiveFailsPerEmailIp,
      emailIpLockMs: c.loginEmailIpLock,
      maxFailsPerIpPerDay: c.loginMaxFailsPerIpPerDay,
      ipBlockMs: c.loginIpBlock,
      accountLockFails: c.accountLockFails,
      accountLockMinIps: c.accountLockMinIps,
      accountLockWindowMs: c.accountLockWindow,
      accountLockBaseMs: c.accountLockBase,
      accountLockMaxMs: c.accountLockMax,
      accountLockResetMs: c.accountLockReset,
      bruteForce: features.rateLimits,
    },
    events,
    {
      onLoginFailure: async (attempt) => {
        await Promise.all([
          reputation.penalise(attempt.ip, PENALTY.loginFailure).catch(() => {}),
          anomalies.onLoginFailure(attempt),
        ]);
      },
      onLockout: (_kind, { ip }) =>
        reputation.penalise(ip, PENALTY.lockout).then(
          () => {},
          () => {},
        ),
    },
  );
  const limits = new RateLimits(backend, {
    ipPerMin: c.rateLimitIpPerMin,
    loginPerMin: c.rateLimitLoginPerMin,
    signupPerMin: c.rateLimitSignupPerMin,
    userPerMin: c.rateLimitUserPerMin,
    throttledPerMin: c.rateLimitThrottledPerMin,
  });
  return {
    enabled: c.protectionEnabled,
    config: c,
    clientIp: createClientIpResolver(c.trustProxy),
    allowlist,
    denylist: new CidrList(c.ipDenylist),
    limits,
    rateLimitPenalties: new RateLimitPenalties(reputation),
    guard,
    reputation,
    anomalies,
    bans,
    events,
    headers: buildSecurityHeaders({ tls: deps.tls ?? false }),
    start: () => bans.start(),
    close: async () => {
      bans.stop();
      await events.flush();
    },
  };
}
