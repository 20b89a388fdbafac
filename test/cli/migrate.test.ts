import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { runCli, tempDir } from './run-cli.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';

const names = Object.keys(MIGRATIONS);
const APPLIED_ALL = new RegExp(`^applied ${names.length} migration\\(s\\): ${names.join(', ')}\\n$`);

describe('tessera migrate on SQLite (embedded)', () => {
  it('creates the data dir, applies the migrations, then says the database is up to date', async () => {
    const cwd = tempDir('migrate');
    const first = await runCli(['migrate'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(APPLIED_ALL);
    expect(existsSync(path.join(cwd, '.tessera', 'tessera.db'))).toBe(true);

    const second = await runCli(['migrate'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('database is up to date\n');
  });

  it('honours TESSERA_DATA_DIR and --data-dir', async () => {
    const cwd = tempDir('migrate');
    const viaEnv = path.join(cwd, 'from-env');
    const viaFlag = path.join(cwd, 'from-flag');
    const [a, b] = await Promise.all([
      runCli(['migrate'], { cwd, env: { TESSERA_DATA_DIR: viaEnv } }),
      runCli(['migrate', '--data-dir', viaFlag], { cwd, env: { TESSERA_DATA_DIR: viaEnv + '-unused' } }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(existsSync(path.join(viaEnv, 'tessera.db'))).toBe(true);
    expect(existsSync(path.join(viaFlag, 'tessera.db'))).toBe(true);
    expect(existsSync(viaEnv + '-unused')).toBe(false);
    expect(existsSync(path.join(cwd, '.tessera'))).toBe(false);
  });
});

describeWith(['postgres'], 'tessera migrate on PostgreSQL (DATABASE_URL)', () => {
  it('creates every table, then says the database is up to date', async () => {
    const db = await createTestDatabase();
    try {
      const first = await runCli(['migrate'], { env: { DATABASE_URL: db.url } });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(APPLIED_ALL);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const tables = (
        await client.query(`select table_name from information_schema.tables where table_schema = 'public' order by 1`)
      ).rows.map((r) => r.table_name);
      await client.end();
      expect(tables).toEqual(
        expect.arrayContaining(['users', 'roles', 'sessions', 'retired_tokens', 'audit_events', 'job_locks']),
      );

      const second = await runCli(['migrate', '--database-url', db.url]);
      expect(second.code).toBe(0);
      expect(second.stdout).toBe('database is up to date\n');
    } finally {
      await db.drop();
    }
  });

  it('an unreachable database fails with one line and a non-zero exit, no stack trace', async () => {
    const result = await runCli(['migrate'], {
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', DATABASE_TIMEOUT: '1s' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^tessera: The database is unavailable.*ECONNREFUSED 127.0.0.1:1/); // says what failed and where
  });
});
