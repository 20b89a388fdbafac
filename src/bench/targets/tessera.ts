import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTessera } from '../../server.js';
import type { CapturedResponse } from '../types.js';
import type { RunningTarget } from './types.js';

export const BENCH_PASSWORD = 'bench-password-0123456789';

/**
 * A real Tessera (startTessera, every default layer) in this process, with one seeded user logged in.
 * The first validation is made here, so the load starts on a warm cache, and its response is captured.
 */
export async function startTesseraTarget(env: Record<string, string>): Promise<RunningTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-bench-'));
  const server = await startTessera({ env: { LOG_LEVEL: 'error', TESSERA_DATA_DIR: dataDir, ...env }, port: 0, host: '127.0.0.1' });
  try {
    const email = `bench-${randomBytes(6).toString('hex')}@example.test`;
    await call(server.url, '/v1/auth/signup', { email, password: BENCH_PASSWORD }, 201);
    const login = (await call(server.url, '/v1/auth/login', { email, password: BENCH_PASSWORD }, 200)) as { token: string };
    const headers = { authorization: `Bearer ${login.token}` };
    const url = `${server.url}/v1/auth/session`;
    const res = await fetch(url, { headers });
    const captured: CapturedResponse = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
    if (res.status !== 200) throw new Error(`GET /v1/auth/session answered ${res.status}: ${captured.body}`);
    return {
      info: { url, headers, captured },
      stop: async () => {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function call(base: string, route: string, body: unknown, expected: number): Promise<unknown> {
  const res = await fetch(base + route, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`POST ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}
