import type { OwnRedis } from '../../helpers/redis-server.js';
import type { OwnRedisCluster } from '../../helpers/redis-cluster.js';
import { clusterTopology, failoverTo, waitForClusterHealthy } from '../../helpers/redis-cluster-topology.js';
import { waitForReplicasInSync } from '../../helpers/redis-cluster.js';
import { sleep } from '../support/trials.js';
import type { Prng } from './prng.js';

/** Something that can break Redis in a random way for a while and then put it right. */
export interface FaultTarget {
  /** Injects one random fault, lets it last, heals it; returns its name. */
  injectOne(prng: Prng): Promise<string>;
  /** Undoes anything left broken (used at the end, and on failure). */
  healAll(): Promise<void>;
}

const isDown = (s: OwnRedis): boolean => s.process.exitCode !== null || s.process.signalCode !== null;

export function standaloneFaults(redis: OwnRedis): FaultTarget {
  return {
    async injectOne(prng) {
      if (prng.chance(0.6)) {
        redis.pause();
        await sleep(prng.between(500, 3000));
        redis.resume();
        return 'pause';
      }
      await redis.stop();
      await sleep(prng.between(300, 2000));
      await redis.restart();
      return 'kill+restart';
    },
    async healAll() {
      if (isDown(redis)) await redis.restart();
      else redis.resume();
    },
  };
}

export function clusterFaults(cluster: OwnRedisCluster): FaultTarget {
  const settle = async () => {
    await waitForClusterHealthy(cluster);
    await Promise.all(cluster.servers.filter((s) => !isDown(s)).map((s) => waitForReplicasInSync(s.port)));
  };
  return {
    async injectOne(prng) {
      await settle();
      const topology = await clusterTopology(cluster);
      const fault = prng.weighted({ killMaster: 2, failover: 2, pauseMaster: 1 });
      if (fault === 'failover') {
        await failoverTo(prng.pick(topology.filter((n) => n.role === 'replica')).server);
        await sleep(1000);
        return 'CLUSTER FAILOVER';
      }
      const master = prng.pick(topology.filter((n) => n.role === 'master')).server;
      if (fault === 'pauseMaster') {
        master.pause();
        await sleep(prng.between(500, 3000)); // beyond cluster-node-timeout (2 s) its replica takes over
        master.resume();
        return 'pause master';
      }
      await master.stop();
      await waitForClusterHealthy(cluster);
      await master.restart(); // rejoins as a replica of the node that took over
      return 'kill master';
    },
    async healAll() {
      for (const server of cluster.servers) {
        if (isDown(server)) await server.restart();
        else server.resume();
      }
      await settle();
    },
  };
}

/** Alternates quiet spells and faults until `until`; returns how many of each fault were injected. */
export async function runFaults(target: FaultTarget, prng: Prng, until: number): Promise<Record<string, number>> {
  const injected: Record<string, number> = {};
  while (Date.now() < until) {
    await sleep(prng.between(800, 2500));
    if (Date.now() >= until) break;
    const name = await target.injectOne(prng);
    injected[name] = (injected[name] ?? 0) + 1;
  }
  return injected;
}
