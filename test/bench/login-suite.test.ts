import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/server-process.js';

const exec = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'tessera-bench-login-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera bench --suite login', () => {
  it(
    'loads POST /v1/auth/login and raw argon2 verify side by side, and reports the ratios it prints',
    { timeout: 120_000 },
    async () => {
      const file = path.join(dir, 'login.json');
      const { stdout } = await exec(
        process.execPath,
        [CLI, 'bench', '--suite', 'login', '--duration', '1', '--rounds', '1', '--out', `json=${file}`],
        { env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 },
      );
      expect(stdout).toContain('raw argon2 verify');
      const suite = JSON.parse(readFileSync(file, 'utf8')).suites.login;
      const cores = availableParallelism();
      expect(suite.summary.hashConcurrency).toBe(cores);
      for (const connections of [cores, cores * 2]) {
        const group = suite.summary[`connections${connections}`];
        const [raw, tessera] = group.targets;
        expect([raw.name, tessera.name]).toEqual(['raw argon2 verify', 'Tessera POST /v1/auth/login']);
        for (const target of [raw, tessera]) {
          // Every request a successful login (or verify): a 401 or a shed 503 would be counted here.
          expect(target.requests).toBeGreaterThan(0);
          expect(target.non2xx + target.errors).toBe(0);
          expect(target.cpuMicrosPerRequest).toBeGreaterThan(0);
        }
        expect(group.throughputRatio).toBeCloseTo(tessera.reqPerSec / raw.reqPerSec, 2);
        expect(group.extraCpuMicrosPerLogin).toBe(Math.round(tessera.cpuMicrosPerRequest - raw.cpuMicrosPerRequest));
      }
    },
  );
});
