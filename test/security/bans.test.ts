import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusMessage, InvalidationBus } from '../../src/cache/types.js';
import { Bans } from '../../src/security/bans.js';
import { SqlBanStore } from '../../src/security/bans-sql.js';
import { up } from '../../src/store/migrations/0100_security_bans.js';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { counterBackends } from './backends.js';
import { waitUntil } from '../helpers/poll.js';

/** Stands in for the cache engineer's bus: delivers every published message to every subscriber (as Redis pub/sub does). */
function localBus(): InvalidationBus {
  const handlers: Array<(m: BusMessage) => void> = [];
  return {
    connected: true,
    lostAt: undefined,
    spansInstances: true,
    vouchedSince: 0,
    get vouchedAt() {
      return Date.now();
    },
    publish: async (m) => {
      for (const h of handlers) queueMicrotask(() => h(structuredClone(m)));
    },
    subscribe: (h) => void handlers.push(h),
    onStateChange: () => {},
    close: async () => {},
  };
}

describeWith(['redis'], 'IP bans across instances (redis)', () => {
  const [redis] = counterBackends();

  it('a ban reaches every instance through the bus at once, and an unban too', async () => {
    const backend = redis.backend();
    const bus = localBus();
    const a = new Bans(backend, { bus, resyncMs: 60_000 });
    const b = new Bans(backend, { bus, resyncMs: 60_000 });
    await Promise.all([a.start(), b.start()]);
    await a.add({ ip: '192.0.2.66', ttlMs: 60_000, reason: 'test', createdBy: 'admin-1' });
    await waitUntil(() => b.isBanned('192.0.2.66') !== undefined, 1000);
    expect(b.list()).toMatchObject([{ ip: '192.0.2.66', reason: 'test', createdBy: 'admin-1' }]);
    expect(await b.remove('192.0.2.66')).toBe(true);
    await waitUntil(() => a.isBanned('192.0.2.66') === undefined, 1000);
    a.stop();
    b.stop();
  });

  it('without the bus, the periodic re-read from Redis carries it within the resync interval', async () => {
    const backend = redis.backend();
    const a = new Bans(backend, { resyncMs: 100 });
    const b = new Bans(backend, { resyncMs: 100 });
    await Promise.all([a.start(), b.start()]);
    await a.add({ ip: '2001:db8::66', ttlMs: 60_000, reason: 'test' });
    await waitUntil(() => b.isBanned('2001:db8::66') !== undefined, 2000);
    a.stop();
    b.stop();
  });

  it('bans expire', async () => {
    let now = 1_700_000_000_000;
    const bans = new Bans(redis.backend(), { now: () => now });
    await bans.add({ ip: '192.0.2.67', ttlMs: 1000, reason: 'short' });
    expect(bans.isBanned('192.0.2.67')).toBeDefined();
    now += 1001;
    expect(bans.isBanned('192.0.2.67')).toBeUndefined();
    expect(bans.list()).toEqual([]);
  });
});

describe('durable bans (SQLite)', () => {
  it('survive the loss of Redis and re-seed it', async () => {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await up(db);
    const store = new SqlBanStore(db);
    const first = new Bans({ keyPrefix: 'x:', timeoutMs: 100 }, { durable: store });
    await first.start();
    await first.add({ ip: '192.0.2.70', ttlMs: 60_000, reason: 'durable' });
    await first.add({ ip: '192.0.2.71', ttlMs: null, reason: 'forever' });
    await first.add({ ip: '192.0.2.72', ttlMs: 60_000, reason: 'lifted' });
    await first.remove('192.0.2.72');
    first.stop();
    const second = new Bans({ keyPrefix: 'x:', timeoutMs: 100 }, { durable: store });
    await second.start();
    expect(
      second
        .list()
        .map((b) => b.ip)
        .sort(),
    ).toEqual(['192.0.2.70', '192.0.2.71']);
    expect(second.isBanned('192.0.2.71')?.expiresAt).toBeNull();
    second.stop();
    await db.destroy();
  });
});

describeWith(['postgres', 'redis'], 'durable bans (PostgreSQL + Redis)', () => {
  const [redis] = counterBackends();
  let drop: (() => Promise<void>) | undefined;
  afterAll(async () => drop?.());

  it('a fresh Redis is re-seeded from the table at start', async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    // drop() terminates leftover connections (WITH (FORCE)); an idle client hearing about it must not be an unhandled error.
    pool.on('error', () => {});
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    await up(db);
    const store = new SqlBanStore(db);
    await store.put({
      ip: '198.51.100.70',
      reason: 'from db',
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      createdBy: null,
    });
    await store.put({ ip: '198.51.100.71', reason: 'expired', createdAt: 1, expiresAt: 2, createdBy: null });
    const backend = redis.backend();
    const bans = new Bans(backend, { durable: store });
    await bans.start();
    expect(bans.list().map((b) => b.ip)).toEqual(['198.51.100.70']);
    const fromRedis = await redis.redis()!.hgetall(`${backend.keyPrefix}bans`);
    expect(Object.keys(fromRedis)).toEqual(['198.51.100.70']);
    bans.stop();
    await db.destroy();
  });
});
