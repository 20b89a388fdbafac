import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { startInstances, stopInstances, type Instance } from '../coherence/support/instances.js';
import { runWritesThroughOutages, type Outage } from './support/outage.js';

/**
 * An instance SIGKILLed in the middle of signups, logins, refreshes, `data` writes and logouts, then started
 * again on the same database: every write it acknowledged with a 2xx is there and consistent (requests in flight
 * at the kill get no answer, and what they did is not counted either way).
 */
function crashScenario(label: string, env: () => Record<string, string>) {
  let instances: Instance[] = [];
  beforeAll(async () => {
    instances = await startInstances(env(), [{}]);
  }, 60_000);
  afterAll(() => stopInstances(instances));

  it('SIGKILLed twice mid-writes and restarted: nothing acknowledged lost', async () => {
    const kill = (name: string): Outage => ({
      name,
      downMs: 200,
      down: async () => void (await instances[0].server.stop('SIGKILL')),
      up: async () => {
        instances = await startInstances(env(), [{}]);
      },
    });
    await runWritesThroughOutages(label, () => instances[0].api, [kill('SIGKILL 1'), kill('SIGKILL 2')], {
      allowNoAnswer: true,
    });
  }, 120_000);
}

describe('HA: crash safety on SQLite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-crash-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  crashScenario('SIGKILL mid-writes on SQLite', () => ({ TESSERA_DATA_DIR: dir }));
});

describeWith(['redis', 'postgres'], 'HA: crash safety on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const prefix = uniquePrefix('ha-crash');
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());
  crashScenario('SIGKILL mid-writes on PostgreSQL', () => ({
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
  }));
});
