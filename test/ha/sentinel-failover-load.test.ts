import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitUntil } from '../helpers/poll.js';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisSentinel, type OwnSentinelSetup } from '../helpers/redis-sentinel.js';
import type { OwnRedis } from '../helpers/redis-server.js';
import { stopInstances, waitForRedisReady, type Instance } from '../coherence/support/instances.js';
import { runFailovers, startHaInstances, type Fault } from './support/failover-run.js';

/**
 * A real Sentinel setup (master, replica, three sentinels) under two instances on PostgreSQL (B without L1)
 * while validations, logins, refreshes, logouts and login-protection probes run: a graceful SENTINEL FAILOVER, then the new master SIGKILLed (the
 * sentinels promote the replica; Tessera must follow without a restart).
 */
describeWith(['redis', 'postgres'], 'HA: Redis Sentinel failovers under load', () => {
  let sentinel: OwnSentinelSetup;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let instances: Instance[];

  beforeAll(async () => {
    [sentinel, db] = await Promise.all([startRedisSentinel(), createTestDatabase()]);
    instances = await startHaInstances({
      DATABASE_URL: db.url,
      REDIS_SENTINELS: sentinel.sentinels.join(','),
      REDIS_SENTINEL_NAME: sentinel.name,
      REDIS_KEY_PREFIX: uniquePrefix('ha-sentinel'),
    });
  }, 60_000);
  afterAll(async () => {
    await stopInstances(instances);
    await sentinel?.stop();
    await db?.drop();
  });

  let killed: OwnRedis;
  const killMaster: Fault = {
    name: 'SIGKILL the master',
    async run() {
      killed = await sentinel.master();
      await killed.stop();
      await sentinel.waitForPromotion(killed);
    },
    async heal() {
      await killed.restart(); // the sentinels turn it into a replica of the promoted node
      await sentinel.waitForHealthy();
    },
  };
  const gracefulFailover: Fault = {
    name: 'SENTINEL FAILOVER',
    async run() {
      const before = await sentinel.master();
      await sentinel.failover();
      await sentinel.waitForPromotion(before);
    },
    heal: async () => void (await sentinel.waitForHealthy()),
  };

  it('two failovers: no revocation resurrected, validations ≤ 0.1 % and logins ≤ 2 % failed, protection enforced, Tessera follows the new master', async () => {
    await runFailovers('Redis Sentinel failovers under load', instances, [gracefulFailover, killMaster]);
    // Following the new master without a restart: both instances report Redis and the bus ready on it.
    await waitForRedisReady(instances);
    const master = await sentinel.master();
    const names = async (server: OwnRedis) => {
      const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on('error', () => {});
      try {
        const list = String(await client.client('LIST'));
        return [...list.matchAll(/name=(tessera:\S+)/g)].map((m) => m[1]).sort();
      } finally {
        client.disconnect();
      }
    };
    // Every Redis user of both instances (L2 and bus commands, bus subscriber, protection) is on the new master…
    const connections = ['tessera:command', 'tessera:security', 'tessera:subscriber'];
    const onMaster = async () => (await names(master)).filter((n) => connections.includes(n));
    await waitUntil(
      async () => (await onMaster()).length >= 2 * connections.length,
      15_000,
      'connections on the new master',
    );
    for (const n of connections) expect((await names(master)).filter((x) => x === n).length).toBe(2);
    // …and none stayed on the demoted one.
    const alive = (s: OwnRedis) => s.process.exitCode === null && s.process.signalCode === null;
    for (const replica of sentinel.servers.filter((s) => s !== master && alive(s)))
      expect((await names(replica)).filter((n) => connections.includes(n))).toEqual([]);
  }, 120_000);
});
