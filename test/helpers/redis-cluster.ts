import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type OwnRedis } from './redis-server.js';
import { freePort } from './services.js';

export interface OwnRedisCluster {
  /** `127.0.0.1:port` of every node (masters and replicas), for REDIS_CLUSTER_NODES. */
  nodes: string[];
  servers: OwnRedis[];
  stop(): Promise<void>;
}

/**
 * Starts a private Redis Cluster of `size` masters, each with `replicasPerMaster` replicas, on free
 * loopback ports, each node with its own cluster config file in a temp dir (so a killed node restarted
 * with `restart()` rejoins the cluster), joins them with `redis-cli --cluster create` and waits for
 * cluster_state:ok on every node.
 */
export async function startRedisCluster(
  size = 3,
  {
    replicasPerMaster = 0,
    basePort,
  }: {
    replicasPerMaster?: number;
    /** Node i listens on basePort + i and its cluster bus on basePort + 50 + i (a test's own fixed range). */
    basePort?: number;
  } = {},
): Promise<OwnRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-cluster-'));
  const servers: OwnRedis[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size * (1 + replicasPerMaster); i++) {
      servers.push(
        await startRedisServer(
          [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${i}.conf`),
            '--cluster-port',
            String(basePort === undefined ? await freePort() : basePort + 50 + i),
            '--cluster-node-timeout',
            '2000',
            '--dir',
            dir,
          ],
          { port: basePort === undefined ? undefined : basePort + i },
        ),
      );
    }
    const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      String(replicasPerMaster),
      '--cluster-yes',
    ]);
    await Promise.all(servers.map((s) => waitForClusterOk(s.port)));
    if (replicasPerMaster > 0) await Promise.all(servers.map((s) => waitForReplicasInSync(s.port)));
    return { nodes, servers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${output}`))));
  });
}

async function waitForClusterOk(port: number, timeoutMs = 15_000): Promise<void> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const info = await client.cluster('INFO').catch(() => '');
      if (/cluster_state:ok/.test(String(info))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`cluster node ${port} did not reach cluster_state:ok`);
  } finally {
    client.disconnect();
  }
}

/** A replica is usable for failover once its link to the master is up and the first sync is done. */
export async function waitForReplicasInSync(port: number, timeoutMs = 15_000): Promise<void> {
  const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const info = String(await client.info('replication').catch(() => ''));
      if (/role:master/.test(info) || (/master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info)))
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`cluster replica ${port} did not finish its first sync`);
  } finally {
    client.disconnect();
  }
}
