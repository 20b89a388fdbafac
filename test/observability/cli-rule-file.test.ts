import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { CLI } from '../helpers/server-process.js';

const run = promisify(execFile);

it('a bad TESSERA_ALERT_RULES file stops `serve` with one line naming it and exit code 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-rules-cli-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), 'rules:\n  - {name: Slow, expr: p99_ms, op: "=>", threshold: 1}\n');
    const result = await run(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: {
        ...process.env,
        TESSERA_DATA_DIR: dir,
        TESSERA_ALERT_RULES: join(dir, 'rules.yaml'),
        LOG_LEVEL: 'silent',
        REDIS_URL: '',
        DATABASE_URL: '',
      },
      timeout: 20_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^tessera: invalid configuration: TESSERA_ALERT_RULES: .*rules\.yaml: rules\[0\]\.op must be one of/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
