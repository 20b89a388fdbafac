import { Redis } from 'ioredis';
import type { OwnRedis } from './redis-server.js';
import type { OwnRedisCluster } from './redis-cluster.js';

export interface ClusterNodeState {
  server: OwnRedis;
  role: 'master' | 'replica';
  /** Slot ranges served, for a master. */
  slots: Array<[number, number]>;
}

const alive = (s: OwnRedis): boolean => s.process.exitCode === null && s.process.signalCode === null;

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

/** Who is master of which slots, as the first reachable node sees it (nodes flagged as failed are left out). */
export async function clusterTopology(cluster: OwnRedisCluster): Promise<ClusterNodeState[]> {
  for (const server of cluster.servers.filter(alive)) {
    const text = await withClient(server.port, (c) => c.cluster('NODES') as Promise<string>).catch(() => undefined);
    if (text === undefined) continue;
    const states: ClusterNodeState[] = [];
    for (const line of text.trim().split('\n')) {
      const [, address, flags, , , , , , ...slotFields] = line.split(' ');
      const port = Number(address.split('@')[0].split(':')[1]);
      const owner = cluster.servers.find((s) => s.port === port);
      if (!owner || !alive(owner) || /fail/.test(flags)) continue;
      const slots = slotFields
        .filter((f) => /^\d/.test(f))
        .map((f) => {
          const [from, to] = f.split('-').map(Number);
          return [from, to ?? from] as [number, number];
        });
      states.push({ server: owner, role: flags.includes('master') ? 'master' : 'replica', slots });
    }
    return states;
  }
  throw new Error('no cluster node answers CLUSTER NODES');
}

/** The live master serving `key`'s slot. */
export async function masterOf(cluster: OwnRedisCluster, key: string): Promise<OwnRedis> {
  const any = cluster.servers.find(alive)!;
  const slot = await withClient(any.port, (c) => c.cluster('KEYSLOT', key));
  const master = (await clusterTopology(cluster)).find(
    (n) => n.role === 'master' && n.slots.some(([a, b]) => slot >= a && slot <= b),
  );
  if (!master) throw new Error(`no live master serves slot ${slot}`);
  return master.server;
}

/** A graceful failover: the replica asks its master to hand over (CLUSTER FAILOVER, run on the replica). */
export async function failoverTo(replica: OwnRedis): Promise<void> {
  await withClient(replica.port, (c) => c.cluster('FAILOVER'));
}

/**
 * Waits until every live node says cluster_state:ok and all 16384 slots have a live master, i.e. a
 * failover after a killed master has finished.
 */
export async function waitForClusterHealthy(cluster: OwnRedisCluster, timeoutMs = 20_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const healthy = await (async () => {
      for (const server of cluster.servers.filter(alive)) {
        const info = await withClient(server.port, (c) => c.cluster('INFO'));
        if (!/cluster_state:ok/.test(info)) return false;
      }
      const covered = (await clusterTopology(cluster))
        .filter((n) => n.role === 'master')
        .flatMap((n) => n.slots)
        .reduce((sum, [a, b]) => sum + b - a + 1, 0);
      return covered === 16384;
    })().catch(() => false);
    if (healthy) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Redis Cluster not healthy within ${timeoutMs} ms`);
}
