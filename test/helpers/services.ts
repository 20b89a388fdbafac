import net from 'node:net';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createBenchDatabase, redisReachable } from '../../src/bench/services.js';
import { describe, it } from 'vitest';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRE = process.env.TESSERA_REQUIRE_SERVICES === '1';

async function probePostgres(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const services = { redis: await redisReachable(REDIS_URL), postgres: await probePostgres() };

/**
 * A describe block that needs real services. Without them it is skipped with a loud line,
 * or fails when TESSERA_REQUIRE_SERVICES=1 (as in CI), so a skip can never pass CI.
 */
export function describeWith(needs: Array<'redis' | 'postgres'>, name: string, body: () => void): void {
  const missing = needs.filter((n) => !services[n]);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const line = `!!! SKIPPED "${name}": ${missing.join(' and ')} not reachable (REDIS_URL=${REDIS_URL}, DATABASE_URL=${DATABASE_URL})`;
  if (REQUIRE) {
    describe(name, () => {
      it(`requires ${missing.join(' and ')}`, () => {
        throw new Error(`${line} — TESSERA_REQUIRE_SERVICES=1 forbids skipping`);
      });
    });
    return;
  }
  console.warn(line);
  describe.skip(name, body);
}

/** A fresh PostgreSQL database for one test file; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const database = await createBenchDatabase(DATABASE_URL, 't');
  if ('error' in database) throw new Error(`cannot create a test database: ${database.error}`);
  return database;
}

/** A unique key prefix so tests sharing the machine's Redis never see each other's keys. */
export const uniquePrefix = (label = 't'): string => `tss-test:${label}:${randomBytes(4).toString('hex')}:`;

/** A port something is listening on (for "port in use" tests); release() frees it. */
export async function occupiedPort(): Promise<{ port: number; release: () => void }> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return { port: (blocker.address() as net.AddressInfo).port, release: () => blocker.close() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
