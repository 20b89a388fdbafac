import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { newSession, PASSWORD } from '../helpers/tessera.js';
import { startInstances, stopInstances, type Instance } from './support/instances.js';
import { emptyTally, probeRevoked } from './support/revocation-probe.js';
import { sleep, timeoutFor, trialCount } from './support/trials.js';
import { assertNoViolations } from './support/violations.js';

const TRIALS = trialCount(5);
const FILL_DELAY_MS = 300;

/**
 * B holds every validation that read the database for 300 ms before it fills L1/L2. A validation of t1
 * on B reads the live session, then t1's session is deleted on A (204) before B fills: the fill must not
 * bring the revoked session back on B (L1) or on A (through L2).
 */
describeWith(['redis', 'postgres'], 'coherence: a revocation racing a validation that read the database', () => {
  let redis: OwnRedis;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let instances: Instance[];
  let email: string;

  beforeAll(async () => {
    [redis, db] = await Promise.all([startRedisServer(), createTestDatabase()]);
    instances = await startInstances(
      { DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix('coh-fill') },
      [{}, { TESSERA_FAULT_FILL_DELAY: `${FILL_DELAY_MS}ms` }],
    );
    email = (await newSession(instances[0].api)).email;
  });
  afterAll(async () => {
    await stopInstances(instances);
    await redis?.stop();
    await db?.drop();
  });

  it(
    `a session deleted while B's validation is between its database read and its fill stays dead (${TRIALS} trials)`,
    async () => {
      const [a, b] = instances;
      const tally = emptyTally();
      let racedTrials = 0;
      for (let trial = 1; trial <= TRIALS; trial += 1) {
        const login = () => a.api('POST', '/v1/auth/login', { email, password: PASSWORD });
        const [first, second] = [await login(), await login()];
        const t1 = first.body.token as string;
        const sessionId = first.body.session.id as string;
        // A data write invalidates t1 everywhere, so B's next validation must read the database.
        expect(
          (await a.api('PATCH', '/v1/auth/session/data', { data: { trial }, version: 1 }, { token: t1 })).status,
        ).toBe(200);

        const validations = [0, 1, 2].map(async (offset) => {
          await sleep(offset);
          const res = await b.api('GET', '/v1/auth/session', undefined, { token: t1 });
          return { status: res.status, dbQueries: Number(res.headers.get('x-db-queries')) };
        });
        await sleep(FILL_DELAY_MS / 6); // B has read the database and is waiting to fill
        const deletion = await a.api('DELETE', `/v1/auth/sessions/${sessionId}`, undefined, {
          token: second.body.token as string,
        });
        expect(deletion.status).toBe(204);
        const ackAt = Date.now();
        // The race happened when B read the live session before the delete: it answers 200 (old code), or it read
        // the session with its user (one query), was refused the fill and read again (2 queries) and answers 401.
        const answers = await Promise.all(validations);
        if (answers.some((v) => v.status === 200 || v.dbQueries >= 2)) racedTrials += 1;

        await sleep(ackAt + 1100 - Date.now());
        await probeRevoked(instances, [{ sessionId, token: t1, ackAt }], tally, trial);
        await sleep(700);
        await probeRevoked(instances, [{ sessionId, token: t1, ackAt }], tally, trial);
      }
      console.log(
        `revocation racing a fill: ${racedTrials}/${TRIALS} trials raced (B read the live session before the delete), ${tally.checks} checks, ${tally.violations.length} answered 200`,
      );
      assertNoViolations('revocation racing a fill', tally.violations);
      expect(racedTrials).toBeGreaterThan(0); // the test exercised the race, not only the quiet path
    },
    timeoutFor(TRIALS, 5000),
  );
});
