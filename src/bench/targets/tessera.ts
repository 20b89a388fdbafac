import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTessera, type RunningTessera } from '../../server.js';
import { normalizeTenant } from '../../auth/normalize.js';
import type { MintContext, RunningTarget } from './types.js';

/**
 * A real Tessera (startTessera, every default layer) in this process. The bench driver signs a user in and makes
 * the first validation (log-in.ts), so this process only ever serves.
 */
export async function startTesseraTarget(env: Record<string, string>): Promise<RunningTarget> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-bench-'));
  try {
    const server = await startTessera({
      env: { LOG_LEVEL: 'error', TESSERA_DATA_DIR: dataDir, ...env },
      port: 0,
      host: '127.0.0.1',
    });
    return {
      info: { url: `${server.url}/v1/auth/session`, headers: {}, login: 'tessera' },
      mint: (count, context) => mintSessions(server, count, context),
      stop: async () => {
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Opens `count` sessions for the driver's account through the session manager (as a login does, less the hash). */
async function mintSessions(
  server: RunningTessera,
  count: number,
  context: MintContext,
): Promise<Array<Record<string, string>>> {
  const { store, sessions, users } = server.runtime;
  const user = context.email ? await store.users.findByEmail(normalizeTenant(undefined), context.email) : undefined;
  if (!user) throw new Error(`no account ${context.email ?? '(none given)'} to open sessions for`);
  const view = await users.view(user);
  const client = { ip: '127.0.0.1', userAgent: 'tessera-bench' };
  const out: Array<Record<string, string>> = [];
  const batch = 32;
  for (let done = 0; done < count; done += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, count - done) }, () => sessions.open(user, view, client)),
    );
    for (const { token } of opened) out.push({ authorization: `Bearer ${token}` });
  }
  return out;
}
