import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveNamedTarget } from '../../src/loadtest/named-targets.js';
import { buildRunConfig } from '../../src/loadtest/options.js';

describe('named targets (tessera.loadtest.yaml)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-targets-'));
  writeFileSync(
    join(dir, 'tessera.loadtest.yaml'),
    'targets:\n  local: http://127.0.0.1:3000\n  staging: https://staging.example.com/base/\n',
  );

  it('resolves a name to its URL and names the known ones otherwise', () => {
    const errors: string[] = [];
    expect(resolveNamedTarget('staging', errors, dir)).toBe('https://staging.example.com/base/');
    expect(resolveNamedTarget('production', errors, dir)).toBeUndefined();
    expect(errors).toEqual([
      '--target "production" is neither a URL nor a target of tessera.loadtest.yaml (known: local, staging)',
    ]);
  });

  it('--target NAME without the file is a configuration error; a URL is taken as it is', async () => {
    const errors: string[] = [];
    expect(await buildRunConfig({ target: 'staging', duration: '1s' }, errors)).toBeUndefined();
    expect(errors[0]).toMatch(/neither a URL nor a named target \(no tessera.loadtest.yaml here\)/);
    const ok = await buildRunConfig({ target: 'http://127.0.0.1:9/x/', duration: '1s' }, []);
    expect(ok!.plan.target).toBe('http://127.0.0.1:9/x/');
  });
});
