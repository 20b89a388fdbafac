import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { newSession } from '../helpers/tessera.js';
import { databaseSessionVersion } from './support/database-session.js';
import { startInstances, stopInstances, type Instance } from './support/instances.js';
import { sleep, timeoutFor, trialCount } from './support/trials.js';
import { staleVersionReads, type VersionAck, type VersionRead } from './support/version-reads.js';
import { assertNoViolations, type Violation } from './support/violations.js';

const TRIALS = trialCount(2);
const CLIENTS = 8;
const BUSY_MS = 3000;
const FILL_DELAY_MS = 300;

/**
 * Eight clients read a session (GET /v1/auth/session) and write its data with the version they read
 * (compare-and-set), alternating between A and B; B holds every database-fed fill for 300 ms, so a
 * fill of version N−1 can land after the write of N was acknowledged (and the last write of each trial is
 * made to race such a fill). No read sent 1 s after an acknowledged write may show an older version;
 * once things are quiet both instances serve the newest one (or else every write based on them gets 409).
 */
describeWith(['redis', 'postgres'], 'coherence: compare-and-set data written from both instances', () => {
  let redis: OwnRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let instances: Instance[];

  beforeAll(async () => {
    [redis, db] = await Promise.all([startRedisServer(), createTestDatabase()]);
    instances = await startInstances(
      { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('coh-cas') },
      [{}, { TESSERA_FAULT_FILL_DELAY: `${FILL_DELAY_MS}ms` }],
    );
  });
  afterAll(async () => {
    await stopInstances(instances);
    await redis?.stop();
    await db?.drop();
  });

  it(
    `after the writes stop, every instance serves the newest acknowledged version (${TRIALS} trials × ${CLIENTS} clients)`,
    async () => {
      const violations: Violation[] = [];
      const summaries: string[] = [];
      for (let trial = 1; trial <= TRIALS; trial += 1) {
        const { token, sessionId } = await newSession(instances[0].api);
        const reads: VersionRead[] = [];
        const acks: VersionAck[] = [];
        let conflicts = 0;
        const read = async (instance: Instance): Promise<number | undefined> => {
          const sentAt = Date.now();
          const res = await instance.api('GET', '/v1/auth/session', undefined, { token });
          const version = res.status === 200 ? (res.body.session.version as number) : undefined;
          reads.push({ instance: instance.name, sentAt, status: res.status, version });
          return version;
        };

        const busyUntil = Date.now() + BUSY_MS;
        await Promise.all(
          Array.from({ length: CLIENTS }, async (_, client) => {
            for (let round = 0; Date.now() < busyUntil; round += 1) {
              const reader = instances[(client + round) % 2];
              const writer = instances[(client + round + 1) % 2];
              const version = await read(reader);
              if (version === undefined) continue;
              const res = await writer.api(
                'PATCH',
                '/v1/auth/session/data',
                { data: { client, round }, version },
                { token },
              );
              if (res.status === 200) acks.push({ version: res.body.version as number, ackAt: Date.now() });
              else if (res.status === 409) conflicts += 1;
              else throw new Error(`data write answered ${res.status}`);
            }
          }),
        );

        // The closing write races a fill on purpose: B reads version N from the database, and while it
        // holds the fill, the write of N+1 is acknowledged on A. Left alone, B's fill would put N back.
        const [a, b] = instances;
        const write = async (instance: Instance, version: number) => {
          const res = await instance.api(
            'PATCH',
            '/v1/auth/session/data',
            { data: { closing: version }, version },
            { token },
          );
          if (res.status === 200) acks.push({ version: res.body.version as number, ackAt: Date.now() });
          return res.status;
        };
        expect(await write(a, (await read(a))!)).toBe(200); // empties the caches: B's next read goes to the database
        const racingRead = read(b);
        await sleep(FILL_DELAY_MS / 6);
        expect(await write(a, (await read(a))!)).toBe(200);
        await racingRead;

        const lastAck = Math.max(0, ...acks.map((a) => a.ackAt));
        await sleep(lastAck + 1100 - Date.now());
        for (const instance of instances) await read(instance);
        await sleep(1000);
        const served = await Promise.all(instances.map(async (i) => `${i.name} serves ${await read(i)}`));
        const inDatabase = await databaseSessionVersion(db.url, sessionId);
        const stuck = (
          await Promise.all(
            instances.map(
              async (i) =>
                (
                  await i.api(
                    'PATCH',
                    '/v1/auth/session/data',
                    { data: { check: true }, version: (await read(i))! },
                    { token },
                  )
                ).status,
            ),
          )
        ).filter((status) => status === 409).length; // a write based on a stale read can never succeed
        const newest = Math.max(...acks.map((a) => a.version));
        expect(newest).toBeGreaterThan(1);
        summaries.push(
          `trial ${trial}: ${acks.length} writes acknowledged, ${conflicts} conflicts; newest acknowledged ${newest}, database holds ${inDatabase}, ${served.join(', ')}; ${stuck} of 2 writes based on them got 409`,
        );
        violations.push(...staleVersionReads(sessionId, reads, acks, trial));
      }
      console.log(`compare-and-set across instances:\n  ${summaries.join('\n  ')}`);
      assertNoViolations('compare-and-set across instances', violations);
    },
    timeoutFor(TRIALS, 10_000),
  );
});
