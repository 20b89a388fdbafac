import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type OwnRedis } from './redis-server.js';
import { freePort } from './services.js';

export const SENTINEL_MASTER_NAME = 'tessera-ha';

export interface OwnSentinelSetup {
  /** The master name the sentinels monitor (REDIS_SENTINEL_NAME). */
  name: string;
  /** `127.0.0.1:port` of the three sentinels (REDIS_SENTINELS). */
  sentinels: string[];
  /** The two data nodes: the first starts as master, the second as its replica. */
  servers: OwnRedis[];
  /** The data node the sentinels currently name as master. */
  master(): Promise<OwnRedis>;
  /** `SENTINEL FAILOVER` (a graceful switch, the old master turns replica). */
  failover(): Promise<void>;
  /**
   * Until every sentinel names the same live master, different from `previous` (when given), and that master says
   * role:master. Resolves with the time it took.
   */
  waitForPromotion(previous?: OwnRedis, timeoutMs?: number): Promise<number>;
  /**
   * The same, and every other live data node replicates that master with the first sync done (after a failover
   * the old master is demoted when a sentinel next looks at it, which can take its 10 s INFO period).
   */
  waitForHealthy(previous?: OwnRedis, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A private Sentinel setup on free loopback ports: one master, one replica and three `redis-server --sentinel`
 * processes (quorum 2, the master counted down after 1 s), each sentinel with its own config file in a temp dir
 * (sentinels rewrite it). A killed data node restarted with `restart()` comes back as a master with an empty
 * dataset and is turned into a replica of the current master by the sentinels.
 */
export async function startRedisSentinel(): Promise<OwnSentinelSetup> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-sentinel-'));
  const servers: OwnRedis[] = [];
  const sentinelProcesses: ChildProcess[] = [];
  const sentinelPorts: number[] = [];
  const stop = async () => {
    for (const child of sentinelProcesses) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
    }
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // In the temp dir: a replica's full sync writes an RDB file to the working directory otherwise.
    const master = await startRedisServer(['--dir', dir]);
    servers.push(master);
    servers.push(await startRedisServer(['--dir', dir, '--replicaof', '127.0.0.1', String(master.port)]));
    await waitForSync(servers[1].port);
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      await writeFile(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
        ].join('\n') + '\n',
      );
      sentinelProcesses.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
      sentinelPorts.push(port);
    }
    const alive = (s: OwnRedis) => s.process.exitCode === null && s.process.signalCode === null;
    const masterAddress = () =>
      askSentinels(sentinelPorts, (c) => sentinelCommand(c, 'get-master-addr-by-name', SENTINEL_MASTER_NAME));
    const setup: OwnSentinelSetup = {
      name: SENTINEL_MASTER_NAME,
      sentinels: sentinelPorts.map((p) => `127.0.0.1:${p}`),
      servers,
      async master() {
        const [, port] = (await masterAddress()) as [string, string];
        const found = servers.find((s) => s.port === Number(port));
        if (!found) throw new Error(`sentinels name an unknown master on port ${port}`);
        return found;
      },
      async failover() {
        await askSentinels(sentinelPorts, (c) => sentinelCommand(c, 'failover', SENTINEL_MASTER_NAME));
      },
      waitForPromotion: (previous, timeoutMs) => waitFor(previous, false, timeoutMs),
      waitForHealthy: (previous, timeoutMs) => waitFor(previous, true, timeoutMs),
      stop,
    };
    const waitFor = async (previous: OwnRedis | undefined, replicasInSync: boolean, timeoutMs = 30_000) => {
      const start = Date.now();
      while (Date.now() - start < timeoutMs) {
        const healthy = await (async () => {
          const current = await setup.master();
          if (!alive(current) || current === previous) return false;
          if (!/role:master/.test(await info(current.port))) return false;
          for (const other of replicasInSync ? servers.filter((s) => s !== current && alive(s)) : []) {
            const replication = await info(other.port);
            if (!replication.includes(`master_port:${current.port}`)) return false;
            if (!/master_link_status:up/.test(replication) || !/master_sync_in_progress:0/.test(replication))
              return false;
          }
          // Every sentinel must agree, or a client asking another one could be sent to the old master.
          for (const port of sentinelPorts) {
            const [, p] = (await withClient(port, (c) =>
              sentinelCommand(c, 'get-master-addr-by-name', SENTINEL_MASTER_NAME),
            )) as [string, string];
            if (Number(p) !== current.port) return false;
          }
          return true;
        })().catch(() => false);
        if (healthy) return Date.now() - start;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`Sentinel setup not ${replicasInSync ? 'healthy' : 'promoted'} within ${timeoutMs} ms`);
    };
    await setup.waitForHealthy(undefined, 15_000);
    return setup;
  } catch (error) {
    await stop();
    throw error;
  }
}

async function withClient<T>(port: number, run: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return await run(client);
  } finally {
    client.disconnect();
  }
}

const sentinelCommand = (client: Redis, ...args: string[]): Promise<unknown> => client.call('SENTINEL', ...args);

const info = (port: number): Promise<string> => withClient(port, (c) => c.info('replication'));

/** The first sentinel that answers. */
async function askSentinels<T>(ports: number[], run: (client: Redis) => Promise<T>): Promise<T> {
  let last: unknown;
  for (const port of ports) {
    try {
      return await withClient(port, run);
    } catch (error) {
      last = error;
    }
  }
  throw new Error(`no sentinel answered: ${String(last)}`);
}

async function waitForSync(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const replication = await info(port).catch(() => '');
    if (/master_link_status:up/.test(replication) && /master_sync_in_progress:0/.test(replication)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`replica ${port} did not finish its first sync`);
}
