import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix } from '../../src/bench/services.js';
import { waitUntil } from '../helpers/poll.js';
import { createTestDatabase, describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { apiClient, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { lines, runCli, tempDir } from './run-cli.js';

const BANNED = '203.0.113.77';

describe('tessera security bans: usage', () => {
  it('explains itself and stops with exit code 2 on bad usage', async () => {
    const [help, noIp, badIp, badFlag] = await Promise.all([
      runCli(['security', 'bans', 'lift', '--help']),
      runCli(['security', 'bans', 'lift']),
      runCli(['security', 'bans', 'lift', 'not-an-ip']),
      runCli(['security', 'bans', 'list', '--frobnicate']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tessera security bans lift');
    expect(help.stdout).toMatch(/everywhere it is held/);
    for (const bad of [noIp, badIp, badFlag]) {
      expect(bad.code).toBe(2);
      expect(lines(bad.stderr)).toHaveLength(1);
    }
    expect(badIp.stderr).toMatch(/IPv4 or IPv6/);
  });

  it('embedded: lists and lifts a ban held in the SQLite file', async () => {
    const dataDir = tempDir('bans');
    const server = await startTestTessera({ TESSERA_DATA_DIR: dataDir });
    await server.runtime.protection!.bans.add({ ip: BANNED, ttlMs: 3_600_000, reason: 'embedded test' });
    await server.stop();
    const env = { TESSERA_DATA_DIR: dataDir };
    const listed = await runCli(['security', 'bans', 'list', '--json'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).bans).toEqual([expect.objectContaining({ ip: BANNED, reason: 'embedded test' })]);
    const lifted = await runCli(['security', 'bans', 'lift', BANNED], { env });
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(lifted.stdout).toContain(`lifted the ban of ${BANNED}`);
    expect((await runCli(['security', 'bans', 'list'], { env })).stdout).toContain('no active bans');
    const again = await runCli(['security', 'bans', 'lift', BANNED], { env });
    expect(again.code).toBe(1);
  });
});

describeWith(['postgres', 'redis'], 'tessera security bans lift against a running server (PostgreSQL + Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let server: TestTessera;
  let redis: Redis;
  const prefix = uniquePrefix('bans');
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = new Redis(REDIS_URL);
    env = { DATABASE_URL: db.url, REDIS_URL, REDIS_KEY_PREFIX: prefix };
    server = await startTestTessera({ ...env, TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await server?.stop();
    redis?.disconnect();
    await deleteRedisPrefix(REDIS_URL, prefix).catch(() => {});
    await db?.drop();
  });

  it('lifts the ban in the database, in Redis and on the running instance within 1 s', async () => {
    const api = apiClient(server.url);
    const asBanned = () => api('GET', '/v1/auth/session', undefined, { headers: { 'x-forwarded-for': BANNED } });
    await server.runtime.protection!.bans.add({ ip: BANNED, ttlMs: 3_600_000, reason: 'credential_stuffing' });
    expect((await asBanned()).status).toBe(403);

    const listed = await runCli(['security', 'bans', 'list'], { env });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`^${BANNED.replaceAll('.', '\\.')}\\tuntil .*\\tcredential_stuffing`, 'm'),
    );

    const lifted = await runCli(['security', 'bans', 'lift', BANNED], { env });
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(lifted.stderr).toBe('');
    await waitUntil(async () => (await asBanned()).status === 401, 1000, 'the running instance stops refusing');

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = await client.query('select ip from security_bans where ip = $1', [BANNED]);
      expect(rows.rowCount).toBe(0);
      const audit = await client.query("select details from audit_events where type = 'ip_unbanned'");
      expect(audit.rows.some((r: { details: unknown }) => JSON.stringify(r.details).includes('cli'))).toBe(true);
    } finally {
      await client.end();
    }
    expect(await redis.hexists(`${prefix}sec:bans`, BANNED)).toBe(0);
    // The instance's periodic re-read of Redis (every 5 s) finds nothing to bring back.
    await new Promise((r) => setTimeout(r, 5500));
    expect((await asBanned()).status).toBe(401);
  }, 30_000);
});
