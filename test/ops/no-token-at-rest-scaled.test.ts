import { createHash } from 'node:crypto';
import { brotliDecompressSync } from 'node:zlib';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';

const hashOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Every way a raw token could be written down: whole, without `tss_`, and its 32 bytes as hex, base64 or binary. */
function forms(token: string): string[] {
  const bytes = Buffer.from(token.slice(4, 47), 'base64url'); // the 256 random bits, without the checksum
  return [token, token.slice(4), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('latin1')];
}

describeWith(['redis', 'postgres'], 'no raw token at rest (PostgreSQL + Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: Redis;
  let server: TestTessera;
  const prefix = uniquePrefix('rest');

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new Redis(REDIS_URL);
    // WARM_INTERVAL short so warmed copies are scanned too.
    server = await startTestTessera({
      DATABASE_URL: db.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      WARM_INTERVAL: '1s',
      CACHE_COMPRESS_THRESHOLD: '64',
    });
  });
  afterAll(async () => {
    await server?.stop();
    if (redis) {
      await deleteRedisPrefix(REDIS_URL, prefix);
      redis.disconnect();
    }
    await db?.drop();
  });

  it('after signup, login, refresh, data writes and logout, no table row and no Redis key or value holds a token; the hashes are there', async () => {
    const api = apiClient(server.url);
    const a = await newSession(api);
    const refreshed = (await api('POST', '/v1/auth/session/refresh', undefined, { token: a.token })).body
      .token as string;
    expect((await api('GET', '/v1/auth/session', undefined, { token: refreshed })).status).toBe(200);
    expect((await api('GET', '/v1/auth/session', undefined, { token: a.token })).status).toBe(200); // grace period
    expect(
      (await api('PATCH', '/v1/auth/session/data', { data: { cart: [1, 2, 3] }, version: 1 }, { token: refreshed }))
        .status,
    ).toBe(200);
    const second = (await api('POST', '/v1/auth/login', { email: a.email, password: PASSWORD })).body.token as string;
    const b = await newSession(api);
    expect((await api('POST', '/v1/auth/logout', undefined, { token: b.token })).status).toBe(204);
    const live = [refreshed, second];
    const tokens = [a.token, refreshed, second, b.token];
    await new Promise((r) => setTimeout(r, 1500)); // write-through to Redis is asynchronous; let a warming pass run too

    // Every row of every table.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const tables = (
      await client.query(
        `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
      )
    ).rows.map((r) => r.table_name as string);
    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'retired_tokens', 'audit_events']));
    let database = '';
    for (const table of tables) {
      const rows = (await client.query(`select * from "${table}"`)).rows;
      database += `${table}: ${JSON.stringify(rows)}\n`;
    }
    await client.end();

    // Every key under the prefix, with its value (decompressed when compressed) and its DUMP.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.length).toBeGreaterThan(0);
    let cache = keys.join('\n');
    for (const key of keys) {
      const dump = await redis.dumpBuffer(key);
      if (dump) cache += dump.toString('latin1');
      if ((await redis.type(key)) !== 'string') continue;
      const value = (await redis.getBuffer(key))!;
      cache += value[0] === 0xff ? brotliDecompressSync(value.subarray(1)).toString('utf8') : value.toString('utf8');
    }

    for (const token of tokens) {
      for (const form of forms(token)) {
        expect(database.includes(form), `database holds ${form.slice(0, 10)}…`).toBe(false);
        expect(cache.includes(form), `Redis holds ${form.slice(0, 10)}…`).toBe(false);
      }
    }
    // What is stored instead: SHA-256 hashes (current and retired in the database; live ones as Redis keys).
    for (const token of tokens) expect(database).toContain(hashOf(token));
    for (const token of live) expect(keys).toContain(`${prefix}c:sess:${hashOf(token)}`);
    expect(keys).not.toContain(`${prefix}c:sess:${hashOf(b.token)}`); // logged out: dropped from Redis
  });
});
