import { CONFIG_FIELDS, type ConfigKey, type FieldSpec } from './schema.js';

type ValueOf<F> = F extends FieldSpec<infer T> ? T : never;
type HasDefault<F> = F extends { default: string } ? true : false;

export type Config = Readonly<
  {
    [K in ConfigKey as HasDefault<(typeof CONFIG_FIELDS)[K]> extends true ? K : never]: ValueOf<
      (typeof CONFIG_FIELDS)[K]
    >;
  } & {
    [K in ConfigKey as HasDefault<(typeof CONFIG_FIELDS)[K]> extends true ? never : K]?: ValueOf<
      (typeof CONFIG_FIELDS)[K]
    >;
  } & {
    /** embedded: SQLite + in-process cache; scaled: PostgreSQL and/or Redis. */
    mode: 'embedded' | 'scaled';
    /** Resolved from DEBUG_HEADERS, or on outside NODE_ENV=production. */
    debugHeaders: boolean;
    /** True when a Redis of any kind (standalone, Sentinel, Cluster) is configured. */
    hasRedis: boolean;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * Reads every field once from `env` (flags win over env), validates all of them, collects every
 * problem (one line each, naming the variable) and returns a deep-frozen config.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  flags: Partial<Record<ConfigKey, string>> = {},
): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_FIELDS) as [ConfigKey, FieldSpec<unknown>][]) {
    const raw = flags[key] ?? env[spec.env] ?? spec.default;
    if (raw === undefined || (raw === '' && spec.default === undefined)) continue;
    const parsed = spec.parse(raw);
    if ('error' in parsed) problems.push(`${spec.env} ${parsed.error}`);
    else out[key] = parsed.value;
  }
  // Cross-field checks read the values just parsed, before the whole is known to be a valid Config.
  const c = out as Partial<Record<ConfigKey | 'hasRedis' | 'mode' | 'debugHeaders', unknown>> & {
    adminPassword?: string;
    sessionAbsoluteTtl?: number;
    sessionIdleTtl?: number;
    headersTimeout?: number;
    requestTimeout?: number;
  };
  if (c.redisSentinels && !c.redisSentinelName)
    problems.push('REDIS_SENTINEL_NAME must be set when REDIS_SENTINELS is set');
  if (c.adminEmail && !c.adminPassword)
    problems.push('TESSERA_ADMIN_PASSWORD must be set when TESSERA_ADMIN_EMAIL is set');
  if (c.adminPassword && (c.adminPassword.length < 8 || c.adminPassword.length > 256)) {
    problems.push('TESSERA_ADMIN_PASSWORD must be 8 to 256 characters');
  }
  if (c.sessionAbsoluteTtl !== undefined && c.sessionIdleTtl !== undefined && c.sessionAbsoluteTtl < c.sessionIdleTtl) {
    problems.push('SESSION_ABSOLUTE_TTL must not be shorter than SESSION_IDLE_TTL');
  }
  if (c.headersTimeout !== undefined && c.requestTimeout !== undefined && c.headersTimeout > c.requestTimeout) {
    problems.push('HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT');
  }
  if (c.alertEmailTo && !c.alertSmtpUrl)
    problems.push('TESSERA_ALERT_SMTP_URL must be set when TESSERA_ALERT_EMAIL_TO is set');
  if (problems.length > 0) throw new ConfigError(problems);

  c.hasRedis = Boolean(c.redisUrl || c.redisClusterNodes || c.redisSentinels);
  c.mode = c.databaseUrl || c.hasRedis ? 'scaled' : 'embedded';
  c.debugHeaders ??= c.nodeEnv !== 'production';
  return deepFreeze(c) as Config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
