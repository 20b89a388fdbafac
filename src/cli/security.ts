import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type { RedisBus } from '../cache/bus-redis.js';
import type { RedisConnection } from '../cache/redis-client.js';
import type { Config, ConfigKey } from '../config/index.js';
import type { Ban, Bans } from '../security/bans.js';
import { normaliseIp } from '../security/cidr-lists.js';
import type { SecurityEvents } from '../security/events.js';
import type { Reputation } from '../security/reputation.js';
import { addConfigFlags, configOrExit } from './config-flags.js';

/** What the command needs to reach every place a ban is held: the database, Redis and the running instances' bus. */
const CONFIG_KEYS: ConfigKey[] = [
  'dataDir',
  'databaseUrl',
  'databaseTimeout',
  'redisUrl',
  'redisClusterNodes',
  'redisSentinels',
  'redisSentinelName',
  'redisKeyPrefix',
  'redisTimeout',
  'logLevel',
];

const BUS_WAIT_MS = 5000;

const ipArgument = (value: string): string => {
  const ip = normaliseIp(value);
  if (!ip) throw new InvalidArgumentError('must be an IPv4 or IPv6 address.');
  return ip;
};

export function registerSecurity(program: Command): void {
  const security = program.command('security').description('Protection: IP bans, from the command line.');
  const bans = security
    .command('bans')
    .description(
      'List and lift IP bans where they are held (database, Redis, and running instances through the bus), ' +
        'so an operator locked out of the admin API can always recover.',
    );

  addConfigFlags(
    bans.command('list').description('List the active IP bans.').option('--json', 'one JSON object: {bans:[…]}'),
    CONFIG_KEYS,
  ).action(async (options: { json?: boolean } & Record<string, unknown>) => {
    const config = configOrExit({ ...options, logLevel: options.logLevel ?? 'warn' });
    await withBans(config, { needBus: false }, ({ bans: held }) => {
      const list = held.list();
      if (options.json) console.log(JSON.stringify({ bans: list }));
      else if (list.length === 0) console.log('no active bans');
      else for (const ban of list) console.log(describeBan(ban));
      return Promise.resolve();
    });
  });

  addConfigFlags(
    bans
      .command('lift')
      .description(
        'Lift the ban of an IP everywhere it is held: database, Redis, and running instances (through the bus, ' +
          'within a second; embedded instances re-read the database within 5 s). Also forgets its reputation.',
      )
      .argument('<ip>', 'the banned address (IPv4 or IPv6)', ipArgument),
    CONFIG_KEYS,
  ).action(async (ip: string, options: Record<string, unknown>) => {
    const config = configOrExit({ ...options, logLevel: options.logLevel ?? 'warn' });
    await withBans(config, { needBus: true }, async ({ bans: held, reputation, events, busConnected }) => {
      const existed = await held.remove(ip);
      await reputation.clear(ip).catch(() => {});
      if (existed) {
        events.record({ type: 'ip_unbanned', ip, action: 'log', details: { by: 'cli' } });
        await events.flush();
        console.log(`lifted the ban of ${ip}`);
      } else {
        console.log(`no active ban for ${ip}`);
        process.exitCode = 1;
      }
      if (config.hasRedis && !busConnected) {
        console.error(
          'tessera: warning: the invalidation bus did not connect; running instances see the lift when they next ' +
            're-read Redis (within 5 s)',
        );
      }
    });
  });
}

function describeBan(ban: Ban): string {
  const until = ban.expiresAt === null ? 'until lifted' : `until ${new Date(ban.expiresAt).toISOString()}`;
  return `${ban.ip}\t${until}\t${ban.reason}${ban.createdBy ? `\tby ${ban.createdBy}` : ''}`;
}

interface BanTools {
  bans: Bans;
  reputation: Reputation;
  events: SecurityEvents;
  busConnected: boolean;
}

/**
 * Opens the database and (scaled) Redis with a bus of its own, loads the bans as an instance does at start, runs
 * `work`, and closes everything. Only what a ban needs: no caches, jobs or HTTP.
 */
async function withBans(
  config: Config,
  options: { needBus: boolean },
  work: (tools: BanTools) => Promise<void>,
): Promise<void> {
  const [{ createStore }, cache, { Bans }, { sqlBanStore }, { Reputation }, { SecurityEvents }] = await Promise.all([
    import('../store/create-store.js'),
    import('../cache/index.js'),
    import('../security/bans.js'),
    import('../security/bans-sql.js'),
    import('../security/reputation.js'),
    import('../security/events.js'),
  ]);
  const store = await createStore(config);
  const connections: RedisConnection[] = [];
  let bus: RedisBus | undefined;
  try {
    await store.migrate();
    let redis: RedisConnection | undefined;
    let busConnected = false;
    if (config.hasRedis) {
      redis = cache.createRedisConnection(config, 'command', { connectionName: 'tessera:cli' });
      const subscriber = cache.createRedisConnection(config, 'subscriber', { connectionName: 'tessera:cli' });
      connections.push(redis, subscriber);
      bus = cache.createRedisBus(redis, subscriber, {
        channel: `${config.redisKeyPrefix}bus`,
        instanceId: randomUUID(),
      });
      // Connected means a message went through Redis and back: the command connection is ready too.
      busConnected = await bus.waitUntilConnected(options.needBus ? BUS_WAIT_MS : 1000);
    }
    const backend = {
      redis,
      keyPrefix: `${config.redisKeyPrefix}sec:`,
      timeoutMs: Math.max(config.redisTimeout, 1000),
    };
    const bans = new Bans(backend, { bus, durable: sqlBanStore(store.db) });
    await bans.start();
    bans.stop();
    const reputation = new Reputation(backend, {
      threshold: config.reputationThreshold,
      recoveryPerHour: config.reputationRecoveryPerHour,
    });
    const events = new SecurityEvents({ audit: store.audit });
    await work({ bans, reputation, events, busConnected });
  } finally {
    await bus?.close().catch(() => {});
    await Promise.all(connections.map((c) => cache.closeRedisConnection(c).catch(() => {})));
    await store.close();
  }
}
