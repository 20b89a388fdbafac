import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfTarget {
  url: string;
  /** The target's process: never the generator's, so the two CPU figures are measured apart. */
  pid: number;
  close(): Promise<void>;
}

/** Generator → target process. */
export type SelfTargetMessage = { start: Record<string, string> } | { stop: true };
/** Target process → generator. */
export type SelfTargetReply = { ready: { url: string; pid: number } } | { error: string };

const ENTRY = new URL('./self-target-process.js', import.meta.url);
const START_TIMEOUT_MS = 60_000;

/**
 * Starts an embedded Tessera (SQLite in a temp dir, port 0) for `--self` in a child process of its own (compiled
 * builds only: the entry is JavaScript), so what the generator spends and what the target spends are apart.
 */
export async function startSelf(env: Record<string, string>): Promise<SelfTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-self-'));
  // Every virtual user shares the generator's loopback address: allowlist it so ordinary flows are not
  // rate-limited as one client. Attack scenarios (bruteforce, bot) send synthetic client IPs in
  // X-Forwarded-For (trusted here), so they still meet every protection.
  const generator = { IP_ALLOWLIST: '127.0.0.1/32,::1/128' };
  // The target's log lines go to stderr, with the generator's progress: stdout is the report's.
  const child = fork(ENTRY, [], { stdio: ['ignore', 2, 2, 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanUp = (): void => rmSync(dataDir, { recursive: true, force: true });
  try {
    const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('did not start within 60 s')), START_TIMEOUT_MS);
      child.once('message', (reply: SelfTargetReply) => {
        clearTimeout(timer);
        if ('ready' in reply) resolve(reply.ready);
        else reject(new Error(reply.error));
      });
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the target process exited (${code ?? 'signal'})`)));
      const start: SelfTargetMessage = {
        start: { TESSERA_DATA_DIR: dataDir, TRUST_PROXY: 'true', LOG_LEVEL: 'warn', ...generator, ...env },
      };
      child.send(start);
    });
    return {
      ...ready,
      close: async () => {
        if (child.connected) child.send({ stop: true } satisfies SelfTargetMessage);
        await exited;
        cleanUp();
      },
    };
  } catch (error) {
    child.kill();
    cleanUp();
    throw new Error(`--self: the embedded server cannot be started (${(error as Error).message})`);
  }
}
