import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CLI } from '../helpers/server-process.js';
import { freePort, occupiedPort } from '../helpers/services.js';
import { apiClient, newSession } from '../helpers/tessera.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

it('npm start: `tessera serve` with no configuration serves in embedded mode and keeps its SQLite under ./.tessera', async () => {
  expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start).toBe(
    'node dist/cli/main.js serve',
  );
  const cwd = mkdtempSync(path.join(tmpdir(), 'tessera-start-'));
  const port = await freePort();
  // Nothing but PATH and the port: every other setting is a default.
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    while (
      !(await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`not serving: ${stdout}${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(existsSync(path.join(cwd, '.tessera', 'tessera.db'))).toBe(true);
    const ready = (await (await fetch(`${url}/ready`)).json()) as {
      dependencies: Array<{ name: string; ok: boolean }>;
    };
    expect(ready.dependencies).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'database', ok: true })]),
    );
    expect(ready.dependencies.some((d: { name: string }) => d.name === 'redis')).toBe(false);

    // Migrations were applied: signup and login write to every core table.
    const { token } = await newSession(apiClient(url));
    expect((await apiClient(url)('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);

    const logs = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(logs.find((l) => l.msg === 'migrations applied')?.applied).toEqual(Object.keys(MIGRATIONS));
    expect(logs.find((l) => l.msg === 'tessera listening')).toMatchObject({ url, mode: 'embedded', level: 30 });
    expect(stderr).toBe('');
  } finally {
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
});

it('a port already in use stops serve with one line and a non-zero exit', async () => {
  const { port, release } = await occupiedPort();
  try {
    const { runCli } = await import('../cli/run-cli.js');
    const result = await runCli(['serve', '--port', String(port)], { env: { LOG_LEVEL: 'warn' } });
    expect(result.code).not.toBe(0);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^tessera: .*EADDRINUSE.*${port}`));
  } finally {
    release();
  }
});
