import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfTarget {
  url: string;
  close(): Promise<void>;
}

type StartTessera = (options?: { env?: Record<string, string>; port?: number; host?: string }) => Promise<SelfTarget>;

/**
 * Starts an embedded Tessera (SQLite in a temp dir, port 0) for `--self`. Loaded lazily so the
 * load tester works without the server module (and builds before it exists).
 */
export async function startSelf(env: Record<string, string>): Promise<SelfTarget> {
  let start: StartTessera | undefined;
  const serverModule: string = '../index.js';
  try {
    const mod = (await import(serverModule)) as { startTessera?: StartTessera };
    start = mod.startTessera;
  } catch (error) {
    throw new Error(`--self: the embedded server cannot be loaded (${(error as Error).message})`);
  }
  if (typeof start !== 'function') throw new Error('--self: this build has no startTessera()');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-self-'));
  // Every virtual user shares the generator's loopback address: allowlist it so ordinary flows are not
  // rate-limited as one client. Attack scenarios (bruteforce, bot) send synthetic client IPs in
  // X-Forwarded-For (trusted here), so they still meet every protection.
  const generator = { IP_ALLOWLIST: '127.0.0.1/32,::1/128' };
  return start({
    port: 0,
    host: '127.0.0.1',
    env: { TESSERA_DATA_DIR: dataDir, TRUST_PROXY: 'true', LOG_LEVEL: 'warn', ...generator, ...env },
  });
}
