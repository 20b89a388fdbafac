import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionRecord, Store } from '../../src/store/types.js';
import { loadConfig } from '../../src/config/index.js';
import { createStore } from '../../src/store/create-store.js';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';

const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Inserts sessions straight through the store; returns them. */
async function seedSessions(
  store: Store,
  count: number,
  overrides: (now: number) => Partial<SessionRecord>,
): Promise<SessionRecord[]> {
  const now = Date.now();
  const user = await store.users.create(
    {
      tenant: 'default',
      email: `jobs-${randomUUID()}@example.test`,
      name: null,
      passwordHash: '$argon2id$x',
      roles: ['user'],
    },
    now,
  );
  const rows: SessionRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    const row: SessionRecord = {
      id: randomUUID(),
      userId: user.id,
      tenant: 'default',
      tokenHash: sha256(randomBytes(32).toString('hex')),
      createdAt: now - 10 * MINUTE,
      lastSeenAt: now - MINUTE,
      expiresAt: now + 60 * MINUTE,
      idleExpiresAt: now + 30 * MINUTE,
      revokedAt: null,
      revokeReason: null,
      ip: null,
      userAgent: null,
      data: {},
      version: 1,
      revision: 1,
      ...overrides(now),
    };
    await store.sessions.insert(row);
    rows.push(row);
  }
  return rows;
}

const expired = (now: number) => ({ idleExpiresAt: now - MINUTE, lastSeenAt: now - 31 * MINUTE });

const running: TestTessera[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
async function start(env: Record<string, string>) {
  const server = await startTestTessera(env);
  running.push(server);
  return server;
}

describe('cleanup job (embedded)', () => {
  it('runs every CLEANUP_INTERVAL and deletes expired sessions, keeping live ones', async () => {
    const server = await start({ CLEANUP_INTERVAL: '1s' });
    const { store } = server.runtime;
    await seedSessions(store, 5, expired);
    await seedSessions(store, 2, () => ({}));
    expect((await store.sessions.countByState(Date.now())).expired).toBe(5);
    await waitUntil(async () => (await store.sessions.countByState(Date.now())).expired === 0, 4000);
    expect(await store.sessions.countByState(Date.now())).toMatchObject({ active: 2, expired: 0 });
  });
});

describeWith(['postgres'], 'cleanup job on two instances sharing PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let blocker: pg.Client;
  let observer: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    blocker = new pg.Client({ connectionString: db.url });
    observer = new pg.Client({ connectionString: db.url });
    await Promise.all([blocker.connect(), observer.connect()]);
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    await Promise.all([blocker?.end(), observer?.end()]);
    await db?.drop();
  });

  /** Cleanup deletes now waiting on a row lock, in this database. */
  const blockedDeletes = async () =>
    Number(
      (
        await observer.query(
          `select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query ilike 'delete from "sessions"%'`,
        )
      ).rows[0].n,
    );

  it('only one instance cleans at a time, even when a run outlasts the interval (the lock is held and renewed)', async () => {
    // Seed, and hold a row lock on one expired session, before any instance runs: whichever cleans gets stuck in its DELETE.
    const seeder = await createStore(loadConfig({ DATABASE_URL: db.url, DATABASE_POOL_MAX: '1' }));
    await seeder.migrate();
    const rows = await seedSessions(seeder, 4, expired);
    await seeder.close();
    await blocker.query('begin');
    expect((await blocker.query('select id from sessions where id = $1 for update', [rows[0].id])).rowCount).toBe(1);
    const env = { DATABASE_URL: db.url, CLEANUP_INTERVAL: '1s', DATABASE_POOL_MAX: '4' };
    const [a, b] = await Promise.all([start(env), start(env)]);

    const owners = new Set<string>();
    let maxBlocked = 0;
    const deadline = Date.now() + 3500; // more than three intervals: the 1 s lock must be renewed, not taken over
    while (Date.now() < deadline) {
      maxBlocked = Math.max(maxBlocked, await blockedDeletes());
      const lock = (await observer.query(`select owner, expires_at from job_locks where name = 'sessions-cleanup'`))
        .rows[0];
      if (lock && Number(lock.expires_at) > Date.now()) owners.add(lock.owner);
      await sleep(100);
    }
    await blocker.query('rollback');
    expect(maxBlocked).toBe(1);
    expect(owners.size).toBe(1); // never handed over while the first run was alive
    expect([a.runtime.instanceId, b.runtime.instanceId]).toContain([...owners][0]);

    await waitUntil(async () => (await a.runtime.store.sessions.countByState(Date.now())).expired === 0, 3000);
  });
});

describeWith(['redis', 'postgres'], 'warming (PostgreSQL + Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: Redis;
  const prefix = uniquePrefix('warm');
  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    if (redis) {
      await deleteRedisPrefix(REDIS_URL, prefix);
      redis.disconnect();
    }
    await db?.drop();
  });

  const cached = async (rows: SessionRecord[]) => {
    const found = await Promise.all(rows.map((r) => redis.exists(`${prefix}c:sess:${r.tokenHash}`)));
    return found.filter(Boolean).length;
  };

  it('loads recently active sessions into Redis at start, and new ones on WARM_INTERVAL; nothing stale', async () => {
    // Sessions written while no instance runs (straight into the database): none of them is in Redis.
    const seeder = await createStore(loadConfig({ DATABASE_URL: db.url, DATABASE_POOL_MAX: '2' }));
    await seeder.migrate();
    try {
      const active = await seedSessions(seeder, 3, () => ({}));
      const stale = [
        ...(await seedSessions(seeder, 2, (now) => ({ lastSeenAt: now - 20 * MINUTE }))), // outside WARM_WINDOW
        ...(await seedSessions(seeder, 2, (now) => ({ revokedAt: now - MINUTE, revokeReason: 'logout' }))),
        ...(await seedSessions(seeder, 2, expired)),
      ];
      expect(await cached([...active, ...stale])).toBe(0);

      await start({
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        WARM_INTERVAL: '1s',
        WARM_WINDOW: '10m',
      });
      await waitUntil(async () => (await cached(active)) === 3, 1500); // at start, before the first interval
      expect(await cached(stale)).toBe(0);
      const key = `${prefix}c:sess:${active[0].tokenHash}`;
      expect(JSON.parse((await redis.get(key))!)).toMatchObject({
        tokenHash: active[0].tokenHash,
        session: { id: active[0].id },
        user: { id: active[0].userId, roles: ['user'], permissions: expect.any(Array) },
      });
      expect(await redis.pttl(key)).toBeGreaterThan(0);

      const later = await seedSessions(seeder, 2, () => ({}));
      await waitUntil(async () => (await cached(later)) === 2, 3000); // the schedule picks them up
      expect(await cached(stale)).toBe(0);
    } finally {
      await seeder.close();
    }
  });
});
