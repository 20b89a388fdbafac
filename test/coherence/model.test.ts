import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, uniquePrefix } from '../helpers/services.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { startRedisCluster, type OwnRedisCluster } from '../helpers/redis-cluster.js';
import { startInstances, stopInstances, type Instance } from './support/instances.js';
import { assertNoViolations } from './support/violations.js';
import { clusterFaults, standaloneFaults, type FaultTarget } from './model/faults.js';
import { modelOptionsFromEnv, variantEnabled } from './model/model-options.js';
import { runModel } from './model/run-model.js';
import { formatSummary } from './model/summary.js';

const ROTATION_GRACE_MS = 1000;
const { seed, durationMs } = modelOptionsFromEnv(12_000);

/**
 * A and C keep an L1; B has none (SESSION_L1_MAX=0), so every one of its answers comes from Redis or the
 * database; C holds its database-fed fills for 100 ms, so fills race the writes.
 * COHERENCE_HISTORY_FILE=<path> also writes the recorded history as JSON, to study a failure.
 */
const INSTANCES: Array<Record<string, string>> = [{}, { SESSION_L1_MAX: '0' }, { TESSERA_FAULT_FILL_DELAY: '100ms' }];
const sharedEnv = (databaseUrl: string) => ({
  DATABASE_URL: databaseUrl,
  REDIS_KEY_PREFIX: uniquePrefix('coh-model'),
  SESSION_ROTATION_GRACE: `${ROTATION_GRACE_MS}ms`,
  SESSION_L1_TTL: '3s',
  SESSION_NEGATIVE_TTL: '1s',
});

function modelSuite(
  variant: 'standalone' | 'cluster',
  startRedis: () => Promise<{ env: Record<string, string>; faults: FaultTarget; stop: () => Promise<void> }>,
) {
  if (!variantEnabled(variant)) return;
  describeWith(['redis', 'postgres'], `coherence model with Redis faults (${variant})`, () => {
    let redis: Awaited<ReturnType<typeof startRedis>>;
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let instances: Instance[];

    beforeAll(async () => {
      [redis, db] = await Promise.all([startRedis(), createTestDatabase()]);
      instances = await startInstances({ ...sharedEnv(db.url), ...redis.env }, INSTANCES);
    });
    afterAll(async () => {
      await stopInstances(instances);
      await redis?.faults.healAll().catch(() => {});
      await redis?.stop();
      await db?.drop();
    });

    it(
      `no answer contradicts an acknowledged write by more than 1 s (seed ${seed}, ${durationMs} ms)`,
      async () => {
        console.log(`coherence model (${variant}): COHERENCE_SEED=${seed} COHERENCE_DURATION=${durationMs}ms`);
        const { summary, history } = await runModel(instances, redis.faults, {
          variant,
          seed,
          durationMs,
          rotationGraceMs: ROTATION_GRACE_MS,
        });
        if (process.env.COHERENCE_HISTORY_FILE)
          writeFileSync(`${process.env.COHERENCE_HISTORY_FILE}.${variant}.json`, JSON.stringify(history.entries));
        console.log(formatSummary(summary));
        expect(summary.operations['validate 200'] ?? 0).toBeGreaterThan(0);
        assertNoViolations(`coherence model (${variant}, COHERENCE_SEED=${seed})`, summary.violations);
      },
      durationMs + 120_000,
    );
  });
}

modelSuite('standalone', async () => {
  const redis: OwnRedis = await startRedisServer();
  return { env: { REDIS_URL: redis.url }, faults: standaloneFaults(redis), stop: () => redis.stop() };
});

modelSuite('cluster', async () => {
  const cluster: OwnRedisCluster = await startRedisCluster(3, { replicasPerMaster: 1 });
  return {
    env: { REDIS_CLUSTER_NODES: cluster.nodes.join(',') },
    faults: clusterFaults(cluster),
    stop: () => cluster.stop(),
  };
});
