import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTessera } from '../../server.js';
import type { RunningTarget } from './types.js';

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
