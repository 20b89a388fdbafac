import { afterAll, beforeAll, it } from 'vitest';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisCluster, waitForReplicasInSync, type OwnRedisCluster } from '../helpers/redis-cluster.js';
import { clusterTopology, failoverTo, waitForClusterHealthy } from '../helpers/redis-cluster-topology.js';
import type { OwnRedis } from '../helpers/redis-server.js';
import { stopInstances, type Instance } from '../coherence/support/instances.js';
import { sleep } from '../coherence/support/trials.js';
import { runFailovers, startHaInstances, type Fault } from './support/failover-run.js';

/**
 * A real 3-master + 3-replica Redis Cluster under two instances on PostgreSQL (B without L1) while validations,
 * logins, refreshes, logouts and login-protection probes run: a master SIGKILLed, a graceful CLUSTER FAILOVER,
 * and another master SIGKILLed. See support/failover-run.ts for what is checked.
 */
describeWith(['redis', 'postgres'], 'HA: Redis Cluster failovers under load', () => {
  let cluster: OwnRedisCluster;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let instances: Instance[];

  beforeAll(async () => {
    [cluster, db] = await Promise.all([startRedisCluster(3, { replicasPerMaster: 1 }), createTestDatabase()]);
    instances = await startHaInstances({
      DATABASE_URL: db.url,
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      REDIS_KEY_PREFIX: uniquePrefix('ha-cluster'),
    });
  }, 60_000);
  afterAll(async () => {
    await stopInstances(instances);
    await cluster?.stop();
    await db?.drop();
  });

  const inSync = () => Promise.all(cluster.servers.map((s) => waitForReplicasInSync(s.port)));
  const anyNode = async (role: 'master' | 'replica'): Promise<OwnRedis> =>
    (await clusterTopology(cluster)).find((n) => n.role === role)!.server;
  const killMaster = (name: string): Fault => {
    let victim: OwnRedis;
    return {
      name,
      async run() {
        victim = await anyNode('master');
        await victim.stop();
        await waitForClusterHealthy(cluster);
      },
      async heal() {
        await victim.restart(); // rejoins as a replica of the promoted node
        await waitForClusterHealthy(cluster);
        await inSync();
      },
    };
  };
  const gracefulFailover: Fault = {
    name: 'CLUSTER FAILOVER on a replica',
    async run() {
      const replica = await anyNode('replica');
      await failoverTo(replica);
      for (let i = 0; i < 100; i++) {
        const me = (await clusterTopology(cluster)).find((n) => n.server === replica);
        if (me?.role === 'master') break;
        await sleep(100);
      }
      await waitForClusterHealthy(cluster);
    },
    heal: async () => void (await inSync()),
  };

  it('three failovers: no revocation resurrected, validations ≤ 0.1 % and logins ≤ 2 % failed, protection enforced', async () => {
    await runFailovers('Redis Cluster failovers under load', instances, [
      killMaster('SIGKILL a master'),
      gracefulFailover,
      killMaster('SIGKILL another master'),
    ]);
  }, 120_000);
});
