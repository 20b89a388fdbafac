import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MintContext, TargetSpec } from './targets/types.js';
import type { TargetInfo } from './types.js';
import { logIn } from './log-in.js';
import { pinProcess } from './tools.js';

const TARGET_PROCESS = fileURLToPath(new URL('./target-process.js', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export type { TargetSpec } from './targets/types.js';

export interface TargetHandle {
  name: string;
  info: TargetInfo;
  /** CPU time (user + system, µs) the target process has used so far. */
  cpuMicros(): Promise<number>;
  /** Resident memory of the target process now (bytes). */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts a target in its own process (the server never shares an event loop with the load generator). */
export function startTarget(
  name: string,
  spec: TargetSpec,
  options: {
    profileDir?: string;
    distDir?: string;
    targetEnv?: Record<string, string>;
    /** Distinct sessions to load the target with (1: the driver's own). */
    sessions?: number;
    pinning?: { serverCpu: number };
    log?: (line: string) => void;
  } = {},
): Promise<TargetHandle> {
  if (spec.kind === 'tessera' && options.targetEnv) spec = { ...spec, env: { ...options.targetEnv, ...spec.env } };
  const execArgv = options.profileDir
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        path.resolve(options.profileDir),
        '--cpu-prof-name',
        `${safe(name)}.${Date.now()}.cpuprofile`,
      ]
    : [];
  // Another build's own target process runs that build's server (bench --against).
  const entry = options.distDir ? path.resolve(options.distDir, 'bench/target-process.js') : TARGET_PROCESS;
  const child = fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  pinProcess(child.pid, options.pinning?.serverCpu);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: did not start within ${START_TIMEOUT_MS / 1000}s`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with code ${code} while starting`));
    });
    child.once('message', (message: { ready?: TargetInfo; error?: string }) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      if (message.error || !message.ready) {
        reject(new Error(`${name}: ${message.error ?? 'no target information'}`));
        return;
      }
      const handle = (info: TargetInfo): TargetHandle => ({
        name,
        info,
        cpuMicros: () => ask(child, 'cpu', 'cpuMicros'),
        rssBytes: () => ask(child, 'rss', 'rssBytes'),
        stop: () => stopChild(child),
      });
      const mint = (count: number, context: MintContext) => askMint(child, count, context);
      logIn(message.ready, { sessions: options.sessions ?? 1, mint, log: options.log }).then(
        (info) => resolve(handle(info)),
        async (error: unknown) => {
          await stopChild(child);
          reject(new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`));
        },
      );
    });
    child.send({ start: spec });
  });
}

function askMint(child: ChildProcess, count: number, context: MintContext): Promise<Array<Record<string, string>>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { minted?: Array<Record<string, string>>; mintError?: string }) => {
      if (message.minted === undefined && message.mintError === undefined) return;
      child.off('message', onMessage);
      if (message.mintError !== undefined) reject(new Error(message.mintError));
      else resolve(message.minted!);
    };
    child.on('message', onMessage);
    child.send({ mint: { count, context } });
  });
}

/** Asks the target process one figure (`{cpu: true}` → `{cpuMicros}`, `{rss: true}` → `{rssBytes}`). */
function ask(child: ChildProcess, question: 'cpu' | 'rss', answer: 'cpuMicros' | 'rssBytes'): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Record<string, number | undefined>) => {
      const value = message[answer];
      if (value === undefined) return;
      child.off('message', onMessage);
      resolve(value);
    };
    child.on('message', onMessage);
    if (!child.connected) reject(new Error('target process is gone'));
    else child.send({ [question]: true });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    if (child.connected) child.send({ stop: true });
    else child.kill('SIGTERM');
  });
}

/** Stops every started target, whatever happened. */
export async function stopAll(targets: Array<TargetHandle | undefined>): Promise<void> {
  await Promise.all(targets.filter((t) => t !== undefined).map((t) => t.stop().catch(() => {})));
}

const safe = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '-');
