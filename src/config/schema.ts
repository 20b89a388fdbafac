import {
  asBoolean,
  asCron,
  asDuration,
  asEmailList,
  asEnum,
  asCidrList,
  asCountOrCores,
  asHostList,
  asHostPortList,
  asInt,
  asNumber,
  asOriginList,
  asString,
  asTrustProxy,
  asUrl,
  type FieldParser,
} from './fields.js';
import { asProtectionFeatures } from '../security/features.js';

/**
 * Every setting Tessera reads: its environment variable, its `serve` flag, its default and its parser.
 * This table is the only place that knows variable names; the loader walks it once.
 */
export interface FieldSpec<T = unknown> {
  env: string;
  flag: string;
  description: string;
  parse: FieldParser<T>;
  default?: string;
}

function field<T, D extends string | undefined = undefined>(
  env: string,
  parse: FieldParser<T>,
  description: string,
  defaultValue?: D,
): FieldSpec<T> & { default: D } {
  const flag = env
    .toLowerCase()
    .replace(/^tessera_/, '')
    .replaceAll('_', '-');
  return { env, flag, description, parse, default: defaultValue as D };
}

export const CONFIG_FIELDS = {
  port: field('PORT', asInt(0, 65535), 'listen port', '3000'),
  host: field('HOST', asString, 'listen address', '127.0.0.1'),
  dataDir: field('TESSERA_DATA_DIR', asString, 'SQLite file and local state', './.tessera'),
  databaseUrl: field('DATABASE_URL', asUrl(['postgres:', 'postgresql:']), 'PostgreSQL URL (scaled mode)'),
  databasePoolMax: field('DATABASE_POOL_MAX', asInt(1, 1000), 'PostgreSQL pool size', '20'),
  redisUrl: field('REDIS_URL', asUrl(['redis:', 'rediss:']), 'Redis URL; rediss:// for TLS'),
  redisClusterNodes: field('REDIS_CLUSTER_NODES', asHostPortList, 'comma-separated host:port seeds of a Redis Cluster'),
  redisSentinels: field('REDIS_SENTINELS', asHostPortList, 'comma-separated host:port of Redis Sentinels'),
  redisSentinelName: field('REDIS_SENTINEL_NAME', asString, 'name of the Sentinel-managed master'),
  redisKeyPrefix: field('REDIS_KEY_PREFIX', asString, 'prefix of every Redis key and channel', 'tss:'),
  redisTimeout: field(
    'REDIS_TIMEOUT',
    asDuration(),
    'Redis command timeout before the breaker counts a failure',
    '250ms',
  ),
  databaseTimeout: field('DATABASE_TIMEOUT', asDuration(), 'database statement/connect timeout', '5s'),
  sessionIdleTtl: field('SESSION_IDLE_TTL', asDuration(), 'idle timeout (sliding)', '30m'),
  sessionAbsoluteTtl: field('SESSION_ABSOLUTE_TTL', asDuration(), 'hard lifetime', '7d'),
  sessionL1Ttl: field('SESSION_L1_TTL', asDuration(), 'in-process cache entry lifetime', '15s'),
  sessionL1Max: field('SESSION_L1_MAX', asInt(0, 10_000_000), 'in-process cache entry count', '100000'),
  sessionL2Ttl: field('SESSION_L2_TTL', asDuration(), 'Redis cache entry lifetime', '10m'),
  sessionTtlAdaptive: field(
    'SESSION_TTL_ADAPTIVE',
    asBoolean,
    'cache lifetimes by use: a first fill lives the _MIN; a refill soon after expiry doubles it (up to the _MAX), a late one halves it',
    'false',
  ),
  sessionL1TtlMin: field('SESSION_L1_TTL_MIN', asDuration(), 'adaptive: in-process lifetime of a cold entry', '5s'),
  sessionL1TtlMax: field('SESSION_L1_TTL_MAX', asDuration(), 'adaptive: longest in-process lifetime', '1m'),
  sessionL2TtlMin: field('SESSION_L2_TTL_MIN', asDuration(), 'adaptive: Redis lifetime of a cold entry', '2m'),
  sessionL2TtlMax: field('SESSION_L2_TTL_MAX', asDuration(), 'adaptive: longest Redis lifetime', '30m'),
  sessionNegativeTtl: field(
    'SESSION_NEGATIVE_TTL',
    asDuration(),
    'how long an unknown token is remembered as unknown',
    '5s',
  ),
  sessionRotationGrace: field(
    'SESSION_ROTATION_GRACE',
    asDuration(),
    'how long a rotated-out token keeps working',
    '10s',
  ),
  sessionChangePoll: field(
    'SESSION_CHANGE_POLL',
    asDuration(10),
    'how often each instance reads the session change log (the path revocations take when Redis loses them); keep it well under 1s',
    '200ms',
  ),
  faultFillDelay: field(
    'TESSERA_FAULT_FILL_DELAY',
    asDuration(0),
    "tests only: pause between a validation's database read and its cache fill, to make fill races deterministic",
    '0ms',
  ),
  sessionLegacyTokens: field(
    'SESSION_LEGACY_TOKENS',
    asBoolean,
    'accept tokens in the format issued before the checksum (looked up in the store); turn off once SESSION_ABSOLUTE_TTL has passed since the upgrade',
    'true',
  ),
  sessionDataMaxBytes: field('SESSION_DATA_MAX_BYTES', asInt(0, 1_048_576), 'largest session data object', '16384'),
  jsonMaxDepth: field(
    'JSON_MAX_DEPTH',
    asInt(1, 1000),
    'deepest nesting of objects and arrays accepted in a JSON body (deeper: 400)',
    '32',
  ),
  cacheCompressThreshold: field(
    'CACHE_COMPRESS_THRESHOLD',
    asInt(0, 1 << 30),
    'Redis values above this many bytes are compressed',
    '1024',
  ),
  cleanupInterval: field('CLEANUP_INTERVAL', asDuration(1000), 'how often expired sessions are deleted', '10m'),
  cleanupBatchSize: field('CLEANUP_BATCH_SIZE', asInt(1, 100_000), 'rows deleted per cleanup batch', '1000'),
  cleanupRevokedRetention: field(
    'CLEANUP_REVOKED_RETENTION',
    asDuration(),
    'how long revoked sessions are kept for audit',
    '1d',
  ),
  warmInterval: field(
    'WARM_INTERVAL',
    asDuration(1000),
    'how often recently active sessions are loaded into Redis',
    '5m',
  ),
  warmWindow: field('WARM_WINDOW', asDuration(1000), 'how recently active a session must be to be warmed', '1h'),
  warmBudgetBytes: field(
    'WARM_BUDGET_BYTES',
    asInt(0, 1 << 30),
    'Redis (L2) memory budget of one warming pass, in serialised bytes',
    '67108864',
  ),
  warmL1BudgetBytes: field(
    'WARM_L1_BUDGET_BYTES',
    asInt(0, 1 << 30),
    'in-process (L1) memory budget of one warming pass, in serialised bytes',
    '33554432',
  ),
  warmEnabled: field(
    'WARM_ENABLED',
    asBoolean,
    'warm the caches at start, on schedules and when Redis comes back',
    'true',
  ),
  warmBatchSize: field('WARM_BATCH_SIZE', asInt(1, 10_000), 'sessions read and cached per warming batch', '500'),
  warmBatchPause: field('WARM_BATCH_PAUSE', asDuration(0), 'pause between two warming batches', '10ms'),
  warmActiveCron: field(
    'WARM_ACTIVE_CRON',
    asCron,
    'cron schedule of the active-sessions strategy (default: WARM_INTERVAL)',
  ),
  warmHotCron: field(
    'WARM_HOT_CRON',
    asCron,
    'cron schedule of the most-validated-sessions strategy (default: WARM_INTERVAL)',
  ),
  warmUsersCron: field(
    'WARM_USERS_CRON',
    asCron,
    "cron schedule of the hot users' sessions strategy (default: WARM_INTERVAL)",
  ),
  warmRolesCron: field(
    'WARM_ROLES_CRON',
    asCron,
    'cron schedule of the role/permission table strategy (default: WARM_INTERVAL)',
  ),
  warmUsersMax: field(
    'WARM_USERS_MAX',
    asInt(0, 1_000_000),
    'users whose every live session the users strategy warms',
    '1000',
  ),
  trustProxy: field('TRUST_PROXY', asTrustProxy, 'trust X-Forwarded-For: true, hop count, or CIDR list', 'false'),
  adminEmail: field('TESSERA_ADMIN_EMAIL', asString, 'create or update this admin at start'),
  adminPassword: field('TESSERA_ADMIN_PASSWORD', asString, 'password of TESSERA_ADMIN_EMAIL'),
  alertRules: field('TESSERA_ALERT_RULES', asString, 'path to a YAML/JSON alert rule file'),
  alertWebhook: field(
    'TESSERA_ALERT_WEBHOOK',
    asUrl(['http:', 'https:']),
    'URL receiving alert and security notifications',
  ),
  logLevel: field(
    'LOG_LEVEL',
    asEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    'JSON log level',
    'info',
  ),
  nodeEnv: field('NODE_ENV', asString, 'production turns debug headers off by default', 'development'),
  debugHeaders: field(
    'DEBUG_HEADERS',
    asBoolean,
    'Server-Timing and X-DB-Queries headers (default: on outside production)',
  ),
  cookieSecure: field('COOKIE_SECURE', asBoolean, 'always mark the session cookie Secure', 'false'),
  metricsToken: field(
    'METRICS_TOKEN',
    asString,
    'bearer token required by /metrics (in production /metrics answers 401 until one is set)',
  ),
  docsEnabled: field('DOCS_ENABLED', asBoolean, 'serve the OpenAPI description at GET /docs (off: 404)', 'true'),
  allowedOrigins: field(
    'ALLOWED_ORIGINS',
    asOriginList,
    'extra origins (scheme://host[:port]) allowed for cookie-authenticated writes (CSRF)',
    '',
  ),
  loadtestAllowHosts: field(
    'LOADTEST_ALLOW_HOSTS',
    asHostList,
    'hostnames or host:port the server-side load tester may target besides this server',
    '',
  ),
  // The HTTP listener itself: what one slow or greedy client may hold (src/http/connections.ts).
  requestTimeout: field(
    'REQUEST_TIMEOUT',
    asDuration(100),
    'time a client has to send a whole request, headers and body (then 408 and the connection is closed)',
    '30s',
  ),
  headersTimeout: field(
    'HEADERS_TIMEOUT',
    asDuration(100),
    'time a client has to send the request line and headers, from the first byte (at most REQUEST_TIMEOUT)',
    '10s',
  ),
  keepAliveTimeout: field(
    'KEEP_ALIVE_TIMEOUT',
    asDuration(100),
    'an idle keep-alive connection is closed after this; behind a load balancer, set it above the balancer idle timeout',
    '5s',
  ),
  maxConnectionsPerIp: field(
    'MAX_CONNECTIONS_PER_IP',
    asInt(0, 1_000_000),
    'open connections one client address may hold (per process); beyond it a new connection is closed at once; 0: no cap',
    '256',
  ),
  connectionLimitExempt: field(
    'CONNECTION_LIMIT_EXEMPT',
    asCidrList,
    'addresses or CIDRs MAX_CONNECTIONS_PER_IP does not apply to, besides IP_ALLOWLIST',
    '127.0.0.0/8,::1',
  ),
  workers: field('TESSERA_WORKERS', asInt(1, 256), 'processes to run (node:cluster)', '1'),
  shutdownTimeout: field('SHUTDOWN_TIMEOUT', asDuration(), 'how long SIGTERM waits for in-flight requests', '10s'),
  passwordHashConcurrency: field(
    'PASSWORD_HASH_CONCURRENCY',
    asCountOrCores(1, 256),
    'password hashes computed at once (off the event loop); cores: os.availableParallelism()',
    'cores',
  ),
  passwordHashQueueMax: field(
    'PASSWORD_HASH_QUEUE_MAX',
    asInt(0, 1_000_000),
    'password hashes (logins, signups, password changes) that may wait for a slot; beyond it: 503 unavailable',
    '128',
  ),
  passwordHashQueueWait: field(
    'PASSWORD_HASH_QUEUE_WAIT',
    asDuration(),
    'longest expected wait for a hash slot; a login that would wait longer is shed with 503 unavailable',
    '1s',
  ),
  l2HotKeys: field('CACHE_HOT_KEYS', asInt(0, 1000), 'how many hot keys are tracked and reported', '20'),
  healthP99Target: field('HEALTH_P99_TARGET', asDuration(), 'p99 latency target used by the health score', '250ms'),
  rssBudgetBytes: field(
    'RSS_BUDGET_BYTES',
    asNumber(0, Number.MAX_SAFE_INTEGER),
    'resident memory budget used by alerts and health',
    '1073741824',
  ),
  metricsEnabled: field(
    'METRICS_ENABLED',
    asBoolean,
    'the observability layer (metrics, request timing, history, alerts); off only to measure its cost',
    'true',
  ),
  alertEvalInterval: field(
    'ALERT_EVAL_INTERVAL',
    asDuration(100),
    'how often alert rules are evaluated (on one instance at a time)',
    '15s',
  ),
  monitorInterval: field(
    'MONITOR_INTERVAL',
    asDuration(1000),
    'how often the sessions table (counts, size) and Redis INFO (memory, evictions, keys, per node) are polled',
    '10s',
  ),
  databaseSlowQuery: field(
    'DATABASE_SLOW_QUERY',
    asDuration(1),
    'queries slower than this are counted and logged (statement name only, never parameters)',
    '250ms',
  ),
  alertEmailTo: field('TESSERA_ALERT_EMAIL_TO', asEmailList, 'comma-separated addresses receiving alert e-mails'),
  alertEmailFrom: field('TESSERA_ALERT_EMAIL_FROM', asString, 'sender of alert e-mails', 'tessera@localhost'),
  alertSmtpUrl: field(
    'TESSERA_ALERT_SMTP_URL',
    asUrl(['smtp:', 'smtps:']),
    'SMTP server for alert e-mails: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465',
  ),
  metricsHistoryRetention: field(
    'METRICS_HISTORY_RETENTION',
    asDuration(60_000),
    'how long one-minute metric aggregates are kept',
    '24h',
  ),
  // Protection (src/security): rate limits, brute force, reputation, anomalies. See the Protection section of README.md.
  protectionEnabled: field(
    'PROTECTION_ENABLED',
    asBoolean,
    'rate limits, brute-force guard, reputation, bans and anomaly rules',
    'true',
  ),
  protectionFeatures: field(
    'PROTECTION_FEATURES',
    asProtectionFeatures,
    'which protection features run: all, none, or a list of audit, anomalies, rate-limits, reputation, alerts; fewer only to measure their cost',
    'all',
  ),
  rateLimitIpPerMin: field(
    'RATE_LIMIT_IP_PER_MIN',
    asInt(1, 10_000_000),
    'requests per minute per client IP across the API',
    '600',
  ),
  rateLimitLoginPerMin: field(
    'RATE_LIMIT_LOGIN_PER_MIN',
    asInt(1, 10_000_000),
    'login attempts per minute per client IP',
    '20',
  ),
  rateLimitSignupPerMin: field(
    'RATE_LIMIT_SIGNUP_PER_MIN',
    asInt(1, 10_000_000),
    'signups per minute per client IP',
    '10',
  ),
  rateLimitUserPerMin: field(
    'RATE_LIMIT_USER_PER_MIN',
    asInt(1, 10_000_000),
    'requests per minute per authenticated user',
    '600',
  ),
  rateLimitThrottledPerMin: field(
    'RATE_LIMIT_THROTTLED_PER_MIN',
    asInt(1, 10_000_000),
    'requests per minute for an IP an anomaly rule throttled',
    '10',
  ),
  rateLimitValidation: field(
    'RATE_LIMIT_VALIDATION',
    asBoolean,
    'also rate-limit GET /v1/auth/session (off: backends call it on every request)',
    'false',
  ),
  loginMaxConsecutiveFailsPerEmailIp: field(
    'LOGIN_MAX_CONSECUTIVE_FAILS_PER_EMAIL_IP',
    asInt(1, 1_000_000),
    'consecutive failed logins per (email, IP) before the pair is locked',
    '5',
  ),
  loginEmailIpLock: field('LOGIN_EMAIL_IP_LOCK', asDuration(1000), 'how long an (email, IP) pair stays locked', '15m'),
  loginMaxFailsPerIpPerDay: field(
    'LOGIN_MAX_FAILS_PER_IP_PER_DAY',
    asInt(1, 10_000_000),
    'failed logins per IP per day before the IP is blocked from logging in',
    '100',
  ),
  loginIpBlock: field(
    'LOGIN_IP_BLOCK',
    asDuration(1000),
    'how long an IP over the daily failure limit is blocked',
    '1d',
  ),
  accountLockFails: field(
    'ACCOUNT_LOCK_FAILS',
    asInt(1, 10_000_000),
    'failed logins on one email (within ACCOUNT_LOCK_WINDOW) that lock it',
    '20',
  ),
  accountLockMinIps: field(
    'ACCOUNT_LOCK_MIN_IPS',
    asInt(1, 1_000_000),
    'distinct IPs those failures must come from',
    '5',
  ),
  accountLockWindow: field(
    'ACCOUNT_LOCK_WINDOW',
    asDuration(1000),
    'window over which account failures are counted',
    '1h',
  ),
  accountLockBase: field(
    'ACCOUNT_LOCK_BASE',
    asDuration(1000),
    'first account lock; each further lock doubles it',
    '1m',
  ),
  accountLockMax: field('ACCOUNT_LOCK_MAX', asDuration(1000), 'longest account lock', '30m'),
  accountLockReset: field(
    'ACCOUNT_LOCK_RESET',
    asDuration(1000),
    'quiet time after which the lock escalation starts over',
    '12h',
  ),
  reputationThreshold: field(
    'REPUTATION_THRESHOLD',
    asInt(0, 100),
    'IPs whose reputation (0-100) is below this are refused',
    '20',
  ),
  reputationRecoveryPerHour: field(
    'REPUTATION_RECOVERY_PER_HOUR',
    asNumber(0, 100_000),
    'reputation points an IP regains per hour',
    '60',
  ),
  ipAllowlist: field(
    'IP_ALLOWLIST',
    asCidrList,
    'CIDRs that skip every limit, ban and reputation check, and that are never banned or throttled',
    '',
  ),
  ipDenylist: field('IP_DENYLIST', asCidrList, 'CIDRs refused with 403', ''),
  anomalyWindow: field(
    'ANOMALY_WINDOW',
    asDuration(1000),
    'window of the credential-stuffing and distributed-attack rules',
    '10m',
  ),
  anomalyStuffingEmails: field(
    'ANOMALY_STUFFING_EMAILS',
    asInt(2, 1_000_000),
    'distinct emails one IP fails on within the window = credential stuffing',
    '10',
  ),
  anomalyStuffingAction: field(
    'ANOMALY_STUFFING_ACTION',
    asEnum(['log', 'throttle', 'ban'] as const),
    'action on credential stuffing',
    'ban',
  ),
  anomalyDistributedIps: field(
    'ANOMALY_DISTRIBUTED_IPS',
    asInt(2, 1_000_000),
    'distinct IPs failing on one email within the window = distributed attack',
    '10',
  ),
  anomalyDistributedAction: field(
    'ANOMALY_DISTRIBUTED_ACTION',
    asEnum(['log', 'throttle', 'ban'] as const),
    'action on a distributed attack (applies to the IP that crossed the line)',
    'throttle',
  ),
  anomalySpikePer10s: field(
    'ANOMALY_SPIKE_PER_10S',
    asInt(1, 10_000_000),
    'requests per IP within 10 s (per instance) = request-rate spike',
    '1000',
  ),
  anomalySpikeAction: field(
    'ANOMALY_SPIKE_ACTION',
    asEnum(['log', 'throttle', 'ban'] as const),
    'action on a request-rate spike',
    'throttle',
  ),
  anomalySessionClientAction: field(
    'ANOMALY_SESSION_CLIENT_ACTION',
    asEnum(['log', 'throttle', 'ban'] as const),
    'action when a session is used from a very different client',
    'log',
  ),
  anomalyInvalidTokensPerMin: field(
    'ANOMALY_INVALID_TOKENS_PER_MIN',
    asInt(1, 10_000_000),
    'unknown or malformed session tokens from one IP within a minute (per instance) = token spraying',
    '100',
  ),
  anomalyInvalidTokensAction: field(
    'ANOMALY_INVALID_TOKENS_ACTION',
    asEnum(['log', 'throttle', 'ban'] as const),
    'action on token spraying',
    'log',
  ),
  anomalyBanTtl: field(
    'ANOMALY_BAN_TTL',
    asDuration(1000),
    'how long an anomaly rule with action ban bans the IP',
    '1h',
  ),
  anomalyThrottleTtl: field(
    'ANOMALY_THROTTLE_TTL',
    asDuration(1000),
    'how long an anomaly rule with action throttle throttles the IP',
    '15m',
  ),
} satisfies Record<string, FieldSpec<unknown>>;

export type ConfigKey = keyof typeof CONFIG_FIELDS;
