import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

/** A key prefix no one else uses, with a hash tag so every key lands in one Cluster slot. */
export const benchKeyPrefix = (label: string): string => `tss-bench:{${label}-${randomBytes(4).toString('hex')}}:`;

/** Deletes every key under `prefix` (SCAN + UNLINK): the bench leaves nothing behind in a shared Redis. */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Whether a Redis answers PING within a second. */
export async function redisReachable(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * A private database next to `url`'s (named tessera_<label>_<random>), so the bench and the tests never write
 * into the real one; drop() removes it, ending any connection still open. `{error}` when the server is
 * unreachable or refuses CREATE DATABASE.
 */
export async function createBenchDatabase(
  url: string,
  label = 'bench',
): Promise<{ url: string; drop(): Promise<void> } | { error: string }> {
  const name = `tessera_${label}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await admin.end().catch(() => {});
  }
  const privateUrl = new URL(url);
  privateUrl.pathname = `/${name}`;
  return {
    url: privateUrl.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
