import { afterAll, beforeAll, expect, it } from 'vitest';
import { hashToken } from '../../src/sessions/token.js';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisCluster, waitForReplicasInSync, type OwnRedisCluster } from '../helpers/redis-cluster.js';
import { masterOf, waitForClusterHealthy } from '../helpers/redis-cluster-topology.js';
import { logInAll, signUpUsers } from './support/accounts.js';
import { startInstances, stopInstances, waitForRedisReady, type Instance } from './support/instances.js';
import { emptyTally, probeRevoked, type RevokedToken } from './support/revocation-probe.js';
import { sleep, timeoutFor, trialCount } from './support/trials.js';
import { assertNoViolations } from './support/violations.js';

const TRIALS = trialCount(1);
const SESSIONS = 8;
const LOGOUT_SPACING_MS = 300;
const WATCH_AFTER_FAILOVER_MS = 5000;

/**
 * Under validation load on two instances, the Cluster master holding most of the sessions' L2 entries
 * is killed and the sessions are logged out on A one by one while its replica takes over. A logout
 * acknowledged during the failover must hold on both instances once 1 s has passed, also after the
 * promoted replica starts answering with whatever it had replicated.
 */
describeWith(['redis', 'postgres'], 'coherence: a Redis Cluster master killed while sessions are logged out', () => {
  let cluster: OwnRedisCluster;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let instances: Instance[];
  let emails: string[];
  const prefix = uniquePrefix('coh-failover');

  beforeAll(async () => {
    [cluster, db] = await Promise.all([startRedisCluster(3, { replicasPerMaster: 1 }), createTestDatabase()]);
    // Short negative and L1 lifetimes, so an entry a lost delete left in Redis is read again soon.
    const env = {
      DATABASE_URL: db.url,
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      REDIS_KEY_PREFIX: prefix,
      SESSION_NEGATIVE_TTL: '500ms',
      SESSION_L1_TTL: '1s',
    };
    instances = await startInstances(env, [{}, {}]);
    emails = await signUpUsers(instances[0].api, SESSIONS);
  });
  afterAll(async () => {
    await stopInstances(instances);
    await cluster?.stop();
    await db?.drop();
  });

  it(
    `no session logged out during a failover validates 1 s after its 204 (${TRIALS} trials × ${SESSIONS} sessions × 2 instances)`,
    async () => {
      const [a] = instances;
      const tally = emptyTally();
      let logouts503 = 0;
      for (let trial = 1; trial <= TRIALS; trial += 1) {
        await waitForClusterHealthy(cluster);
        await Promise.all(cluster.servers.map((s) => waitForReplicasInSync(s.port)));
        await waitForRedisReady(instances);
        const sessions = await logInAll(a.api, emails);
        for (const { token } of sessions)
          for (const i of instances)
            expect((await i.api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
        await sleep(300); // L2 write-through is asynchronous, replication too
        const owners = await Promise.all(
          sessions.map((s) => masterOf(cluster, `${prefix}c:sess:${hashToken(s.token)}`)),
        );
        const victim = owners.toSorted(
          (x, y) => owners.filter((o) => o === y).length - owners.filter((o) => o === x).length,
        )[0];
        // Sessions stored on the victim first: their deletes are the ones that can be lost.
        const order = sessions.toSorted(
          (x, y) => Number(owners[sessions.indexOf(y)] === victim) - Number(owners[sessions.indexOf(x)] === victim),
        );

        const revoked: RevokedToken[] = [];
        let loadRunning = true;
        const load = (async () => {
          while (loadRunning) {
            await probeRevoked(instances, revoked, tally, trial);
            await Promise.all(
              sessions
                .filter((s) => !revoked.some((r) => r.token === s.token))
                .flatMap((s) => instances.map((i) => i.api('GET', '/v1/auth/session', undefined, { token: s.token }))),
            );
            await sleep(100);
          }
        })();
        try {
          await victim.stop();
          for (const s of order) {
            const res = await a.api('POST', '/v1/auth/logout', undefined, { token: s.token });
            if (res.status === 204) revoked.push({ ...s, ackAt: Date.now() });
            else if (res.status === 503) logouts503 += 1;
            else throw new Error(`logout answered ${res.status}`);
            await sleep(LOGOUT_SPACING_MS);
          }
          await waitForClusterHealthy(cluster);
          await sleep(WATCH_AFTER_FAILOVER_MS);
        } finally {
          loadRunning = false;
          await load;
        }
        await victim.restart(); // rejoins as a replica of the promoted node
      }
      console.log(
        `cluster failover logout: ${tally.checks} checks, ${tally.violations.length} answered 200, ${tally.unavailable} answered 503, ${logouts503} logouts answered 503`,
      );
      assertNoViolations('logout during a Cluster failover', tally.violations);
    },
    timeoutFor(TRIALS, 30_000, 30_000),
  );
});
