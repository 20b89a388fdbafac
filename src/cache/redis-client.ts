import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { Cluster, ClusterOptions, Command, Redis, RedisOptions } from 'ioredis';
import { ioredis } from './ioredis.js';
import type { Config } from '../config/index.js';

export type RedisConnection = Redis | Cluster;
export type RedisRole = 'command' | 'subscriber';

export type RedisConfig = Pick<
  Config,
  'redisUrl' | 'redisClusterNodes' | 'redisSentinels' | 'redisSentinelName' | 'redisTimeout'
>;

export interface RedisConnectionOptions {
  /** Longest pause between reconnection attempts; reconnection never gives up. */
  maxBackoffMs?: number;
  /** CLIENT SETNAME, to spot Tessera's connections in CLIENT LIST. */
  connectionName?: string;
  /** Called with every connection error (they are otherwise swallowed so they can never crash the process). */
  onError?: (error: Error) => void;
  /** Extra TLS settings (e.g. a private CA) merged in when the URL is rediss://. */
  tls?: TlsOptions;
  /**
   * Hears every command sent while the connection is ready, with its round trip (ms) once it is answered, fails or
   * times out: the one place Redis time is measured, whichever part of Tessera sent the command.
   */
  onCommand?: (command: string, ms: number) => void;
}

/** Exponential backoff from 50 ms, capped, with jitter so a fleet does not reconnect in lockstep. */
export const reconnectDelay =
  (maxBackoffMs: number) =>
  (attempt: number): number => {
    const base = Math.min(maxBackoffMs, 50 * 2 ** Math.min(attempt, 16));
    return Math.round(base / 2 + (Math.random() * base) / 2);
  };

/**
 * One ioredis connection for the configured topology: REDIS_CLUSTER_NODES → Cluster, REDIS_SENTINELS →
 * Sentinel-managed master, else REDIS_URL. With a cluster or sentinels, REDIS_URL (when set) still supplies
 * the password, username and TLS (rediss://).
 *
 * - `command`: fails fast while disconnected (no offline queue, no retries, REDIS_TIMEOUT per command),
 *   so callers (through the breaker) fall back to the database instead of waiting.
 * - `subscriber`: queues while reconnecting and subscribes again by itself (autoResubscribe).
 */
export function createRedisConnection(
  config: RedisConfig,
  role: RedisRole,
  options: RedisConnectionOptions = {},
): RedisConnection {
  const retry = reconnectDelay(options.maxBackoffMs ?? 1000);
  const command = role === 'command';
  const timeoutMs = config.redisTimeout;
  const shared: RedisOptions = {
    ...authFromUrl(config.redisUrl, options.tls),
    connectionName: options.connectionName,
    connectTimeout: Math.max(1000, timeoutMs * 4),
    enableOfflineQueue: !command,
    maxRetriesPerRequest: command ? 0 : null,
    commandTimeout: command ? timeoutMs : undefined,
    keepAlive: 10_000,
  };

  let connection: RedisConnection;
  if (config.redisClusterNodes?.length) {
    // A cluster has only database 0.
    const { enableOfflineQueue, db: _db, ...redisOptions } = shared;
    const clusterOptions: ClusterOptions = {
      redisOptions,
      enableOfflineQueue,
      clusterRetryStrategy: retry,
      slotsRefreshTimeout: Math.max(1000, timeoutMs * 4),
      retryDelayOnClusterDown: 100,
      // Single-key commands issued together are batched into one pipeline per node: this is how multi-key
      // reads and writes stay cluster-safe (keys spread over slots) without grouping slots by hand.
      enableAutoPipelining: command,
    };
    connection = new (ioredis().Cluster)(config.redisClusterNodes.map(parseHostPort), clusterOptions);
  } else if (config.redisSentinels?.length) {
    connection = new (ioredis().Redis)({
      ...shared,
      sentinels: config.redisSentinels.map(parseHostPort),
      name: config.redisSentinelName,
      sentinelRetryStrategy: retry,
      retryStrategy: retry,
      // Leave the old master as soon as the sentinels announce +switch-master: after a graceful failover it stays
      // up and writable until a sentinel demotes it (up to its 10 s INFO period), and what it accepts meanwhile
      // is discarded when it resyncs as a replica.
      failoverDetector: true,
    });
  } else if (config.redisUrl) {
    connection = new (ioredis().Redis)(config.redisUrl, { ...shared, retryStrategy: retry });
  } else {
    throw new Error('createRedisConnection: no REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS configured');
  }
  if (options.onCommand) timeCommands(connection, options.onCommand);
  connection.on('error', (error: Error) => options.onError?.(error));
  if (connection instanceof ioredis().Cluster) connection.on('node error', (error: Error) => options.onError?.(error));
  return connection;
}

type SendCommand = (command: Command, ...rest: unknown[]) => unknown;

/**
 * Times each command at ioredis' `sendCommand`, which single commands, pipelines and auto-pipelined batches all go
 * through. A command passing twice (a Cluster redirection, an offline-queue flush) is timed once, from its first
 * send. Commands refused at once because the connection is not ready are not timed: that is no Redis latency.
 */
function timeCommands(connection: RedisConnection, onCommand: (command: string, ms: number) => void): void {
  const send = (connection.sendCommand as SendCommand).bind(connection);
  const timed = new WeakSet<Command>();
  const patched: SendCommand = (command, ...rest) => {
    if (connection.status === 'ready' && !timed.has(command)) {
      timed.add(command);
      const start = performance.now();
      const done = (): void => onCommand(command.name.toLowerCase(), performance.now() - start);
      command.promise.then(done, done);
    }
    return send(command, ...rest);
  };
  (connection as { sendCommand: SendCommand }).sendCommand = patched;
}

/** Closes a connection politely (QUIT), or drops it when Redis does not answer. */
export async function closeRedisConnection(connection: RedisConnection, timeoutMs = 500): Promise<void> {
  if (connection.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('quit timed out')), timeoutMs);
      }),
    ]);
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

function parseHostPort(item: string): { host: string; port: number } {
  const colon = item.lastIndexOf(':');
  return { host: item.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(item.slice(colon + 1)) };
}

function authFromUrl(
  url: string | undefined,
  tls: TlsOptions | undefined,
): Pick<RedisOptions, 'username' | 'password' | 'tls' | 'db'> {
  if (!url) return {};
  const parsed = new URL(url);
  const out: Pick<RedisOptions, 'username' | 'password' | 'tls' | 'db'> = {};
  if (parsed.username) out.username = decodeURIComponent(parsed.username);
  if (parsed.password) out.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') {
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    // SNI takes host names only (RFC 6066); certificates for an IP are checked against it without SNI.
    out.tls = { ...(isIP(host) ? {} : { servername: host }), ...tls };
  }
  const db = Number(parsed.pathname.slice(1));
  if (parsed.pathname.length > 1 && Number.isInteger(db)) out.db = db;
  return out;
}

/** Resolves true once the connection is ready (a Cluster: slots known), false after `timeoutMs`; never rejects. */
export function waitForRedisReady(connection: RedisConnection, timeoutMs: number): Promise<boolean> {
  if (connection.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      connection.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(connection.status === 'ready'), timeoutMs);
    connection.on('ready', onReady);
  });
}
