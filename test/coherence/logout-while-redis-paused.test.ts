import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { logInAll, signUpUsers } from './support/accounts.js';
import { startInstances, stopInstances, waitForRedisReady, type Instance } from './support/instances.js';
import { tripRedisBreakers } from './support/redis-breaker.js';
import { emptyTally, probeRevoked, type RevokedToken } from './support/revocation-probe.js';
import { sleep, timeoutFor, trialCount } from './support/trials.js';
import { assertNoViolations } from './support/violations.js';

const TRIALS = trialCount(2);
const SESSIONS = 8;
const PAUSE_MS = 2500;

/**
 * Sessions cached on both instances are logged out on A while Redis is frozen (SIGSTOP) and the
 * instances' Redis breakers are open: the logout's cache delete and bus message never reach Redis. None of them may validate anywhere 1 s after its 204,
 * neither while Redis is frozen nor after it is resumed with the old entries still in it.
 */
describeWith(['redis', 'postgres'], 'coherence: logout while Redis is paused', () => {
  let redis: OwnRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let instances: Instance[];
  let emails: string[];

  beforeAll(async () => {
    [redis, db] = await Promise.all([startRedisServer(), createTestDatabase()]);
    instances = await startInstances(
      { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('coh-pause') },
      [{}, {}],
    );
    emails = await signUpUsers(instances[0].api, SESSIONS);
  });
  afterAll(async () => {
    await stopInstances(instances);
    await redis?.stop();
    await db?.drop();
  });

  it(
    `no logged-out session validates 1 s after its 204 (${TRIALS} trials × ${SESSIONS} sessions × 2 instances)`,
    async () => {
      const [a] = instances;
      const tally = emptyTally();
      let logouts503 = 0;
      for (let trial = 1; trial <= TRIALS; trial += 1) {
        await waitForRedisReady(instances);
        const sessions = await logInAll(a.api, emails);
        for (let round = 0; round < 2; round += 1) {
          for (const { token } of sessions)
            for (const i of instances)
              expect((await i.api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
        }
        await sleep(100); // the L2 write-through is asynchronous

        const pausedAt = Date.now();
        redis.pause();
        const revoked: RevokedToken[] = [];
        try {
          await tripRedisBreakers(instances);
          await Promise.all(
            sessions.map(async (s) => {
              const res = await a.api('POST', '/v1/auth/logout', undefined, { token: s.token });
              if (res.status === 204) revoked.push({ ...s, ackAt: Date.now() });
              else if (res.status === 503) logouts503 += 1;
              else throw new Error(`logout answered ${res.status}`);
            }),
          );
          await sleep(Math.max(0, Math.max(...revoked.map((r) => r.ackAt), pausedAt) + 1100 - Date.now()));
          await probeRevoked(instances, revoked, tally, trial); // still frozen
          await sleep(Math.max(0, pausedAt + PAUSE_MS - Date.now()));
        } finally {
          redis.resume();
        }
        await sleep(1500);
        await probeRevoked(instances, revoked, tally, trial);
        await sleep(1500);
        await probeRevoked(instances, revoked, tally, trial);
      }
      console.log(
        `logout while Redis paused: ${tally.checks} checks, ${tally.violations.length} answered 200, ${tally.unavailable} answered 503, ${logouts503} logouts answered 503`,
      );
      assertNoViolations('logout while Redis paused', tally.violations);
    },
    timeoutFor(TRIALS, 20_000),
  );
});
