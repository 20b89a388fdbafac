import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/server-process.js';
import { createTestDatabase, describeWith, freePort, REDIS_URL } from '../helpers/services.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';

const exec = promisify(execFile);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-doctor-'));
  dirs.push(dir);
  return dir;
}

/** Runs the built CLI with only `env` (and PATH); resolves with exit code and output whatever the code. */
async function tessera(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const line = (stdout: string, name: string): string =>
  stdout.split('\n').find((l) => new RegExp(`^\\S+\\s+${name}\\s`).test(l)) ?? '';

describe('tessera doctor (embedded)', () => {
  it('passes every check on a migrated data dir, WAL included', async () => {
    const env = { TESSERA_DATA_DIR: dataDir() };
    expect((await tessera(['migrate'], env)).code).toBe(0);
    const run = await tessera(['doctor'], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const name of ['config', 'data dir', 'database', 'migrations', 'indexes', 'journal mode'])
      expect(line(run.stdout, name)).toMatch(/^ok\s/);
    expect(line(run.stdout, 'journal mode')).toContain('WAL');
    expect(run.stdout).not.toMatch(/^(FAIL|warn)/m);
  });

  it('lists pending migrations as a warning on a fresh data dir (still exit 0)', async () => {
    const run = await tessera(['doctor'], { TESSERA_DATA_DIR: dataDir() });
    expect(run.code).toBe(0);
    expect(line(run.stdout, 'migrations')).toMatch(/^warn.*0001_initial.*tessera migrate/);
  });

  it('fails with exit 1 and one line per configuration problem', async () => {
    const run = await tessera(['doctor'], { PORT: 'abc', SESSION_IDLE_TTL: 'soon' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL\s+config\s+PORT/m);
    expect(run.stdout).toMatch(/^FAIL\s+config\s+SESSION_IDLE_TTL/m);
  });

  it('fails with exit 1 naming the database when DATABASE_URL is unreachable', async () => {
    const port = await freePort();
    const run = await tessera(['doctor'], { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/nowhere` });
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'database')).toMatch(
      new RegExp(
        `^FAIL\\s+database\\s+PostgreSQL at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/nowhere is unreachable.*fix:`,
      ),
    );
    expect(run.stdout).not.toContain('secret');
  });
});

describeWith(['redis'], 'tessera doctor (private Redis with noeviction)', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startRedisServer(['--maxmemory-policy', 'noeviction', '--maxmemory', '10mb']);
  });
  afterAll(() => redis?.stop());

  it('warns that cache writes will fail when Redis is full, and recommends an LRU policy', async () => {
    const run = await tessera(['doctor'], { TESSERA_DATA_DIR: dataDir(), REDIS_URL: redis.url });
    expect(run.code, run.stdout).toBe(0);
    expect(line(run.stdout, 'redis')).toMatch(/^ok\s/);
    expect(line(run.stdout, 'redis latency')).toMatch(/^(ok|warn)\s.*PING/);
    expect(line(run.stdout, 'redis memory')).toMatch(/^warn\s.*noeviction.*fail.*allkeys-lru/);
  });

  it('fails with exit 1 when Redis is unreachable', async () => {
    const port = await freePort();
    const run = await tessera(['doctor'], { TESSERA_DATA_DIR: dataDir(), REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    expect(line(run.stdout, 'redis')).toMatch(/^FAIL\s+redis\s.*unreachable/);
  });
});

describeWith(['postgres', 'redis'], 'tessera doctor (real PostgreSQL and Redis)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    expect((await tessera(['migrate'], { DATABASE_URL: db.url })).code).toBe(0);
  });
  afterAll(() => db?.drop());

  it('passes the database checks and reports the machine Redis memory settings', async () => {
    const run = await tessera(['doctor'], { DATABASE_URL: db.url, REDIS_URL });
    expect(run.code, run.stdout).toBe(0);
    for (const name of ['database', 'migrations', 'indexes', 'connections', 'redis'])
      expect(line(run.stdout, name)).toMatch(/^ok\s/);
    const probe = new Redis(REDIS_URL);
    const [, maxmemory] = (await probe.config('GET', 'maxmemory')) as [string, string];
    probe.disconnect();
    if (Number(maxmemory) === 0) expect(line(run.stdout, 'redis memory')).toMatch(/^warn\s.*maxmemory is 0/);
    else expect(line(run.stdout, 'redis memory')).toMatch(/^(ok|warn)\s/);
  });

  it('warns when the pools of the expected instances exceed max_connections', async () => {
    const run = await tessera(['doctor', '--instances', '1000'], { DATABASE_URL: db.url, REDIS_URL });
    expect(run.code).toBe(0);
    expect(line(run.stdout, 'connections')).toMatch(
      /^warn\s.*DATABASE_POOL_MAX 20 × 1000 instance\(s\).*max_connections.*fix: lower DATABASE_POOL_MAX/,
    );
  });

  it('names a missing index and how to recreate it (exit 1)', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('drop index sessions_user_revoked_idx');
    await client.end();
    const run = await tessera(['doctor'], { DATABASE_URL: db.url });
    expect(run.code).toBe(1);
    const indexes = line(run.stdout, 'indexes');
    expect(indexes).toMatch(/^FAIL\s+indexes\s+missing sessions_user_revoked_idx \(on sessions\)/);
    const ddl =
      /fix: recreate: (create index "sessions_user_revoked_idx" on "sessions" \("user_id", "revoked_at"\));/i.exec(
        indexes,
      );
    expect(ddl, indexes).not.toBeNull();
    // The suggested statement is valid PostgreSQL and makes the check pass again.
    const again = new pg.Client({ connectionString: db.url });
    await again.connect();
    await again.query(ddl![1]);
    await again.end();
    expect(line((await tessera(['doctor'], { DATABASE_URL: db.url })).stdout, 'indexes')).toMatch(/^ok\s/);
  });
});
