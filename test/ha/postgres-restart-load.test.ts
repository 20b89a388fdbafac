import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { freePortInRange, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { startInstances, stopInstances, type Instance } from '../coherence/support/instances.js';
import { runWritesThroughOutages } from './support/outage.js';

const ENV = { DATABASE_TIMEOUT: '500ms', LOG_LEVEL: 'error' };

/**
 * PostgreSQL goes away under a write load (signups, logins, refreshes, `data` writes, logouts): writes answer
 * 503 while it is down (never a 500), the pool recovers by itself, and every write acknowledged with a 2xx is
 * there afterwards.
 */
describeWith(['redis', 'postgres'], 'HA: PostgreSQL cut and restarted under load', () => {
  describe('cut at a TCP proxy', () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let proxy: TcpProxy;
    let instances: Instance[];
    beforeAll(async () => {
      db = await createTestDatabase();
      const url = new URL(db.url);
      proxy = await startTcpProxy(Number(url.port || 5432), url.hostname);
      url.port = String(proxy.port);
      instances = await startInstances(
        { ...ENV, DATABASE_URL: url.toString(), REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix('ha-pgcut') },
        [{}],
      );
    }, 60_000);
    afterAll(async () => {
      await stopInstances(instances);
      await proxy?.close();
      await db?.drop();
    });

    it('two cuts of 2 s: 503 while cut, recovery by itself, nothing acknowledged lost', async () => {
      const cut = (name: string) => ({
        name,
        downMs: 2000,
        down: async () => proxy.cut(),
        up: async () => proxy.restore(),
      });
      await runWritesThroughOutages('PostgreSQL cut at a TCP proxy', () => instances[0].api, [
        cut('cut 1'),
        cut('cut 2'),
      ]);
    }, 60_000);
  });

  describe('a private PostgreSQL cluster (initdb/pg_ctl) restarted', () => {
    let pg: PrivatePostgres;
    let instances: Instance[];
    beforeAll(async () => {
      pg = await startPrivatePostgres(await freePortInRange(30500, 30999));
      instances = await startInstances(
        { ...ENV, DATABASE_URL: pg.url, REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix('ha-pgrestart') },
        [{}],
      );
    }, 90_000);
    afterAll(async () => {
      await stopInstances(instances);
      await pg?.destroy();
    });

    it('stopped like a crash (immediate) and shut down cleanly (fast), then started: nothing acknowledged lost', async () => {
      const restart = (mode: 'immediate' | 'fast') => ({
        name: `pg_ctl stop -m ${mode}, start after 2 s`,
        downMs: 2000,
        down: () => pg.stop(mode),
        up: () => pg.start(),
      });
      await runWritesThroughOutages('private PostgreSQL restarted', () => instances[0].api, [
        restart('immediate'),
        restart('fast'),
      ]);
      expect((await instances[0].api('GET', '/ready')).status).toBe(200);
    }, 90_000);
  });
});
