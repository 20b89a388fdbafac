import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** A private redis-server (no persistence): restarting it is how Redis loses everything it held. */
export async function startPrivateRedis(): Promise<{
  url: string;
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const boot = async (): Promise<ChildProcess> => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    child.on('error', () => {});
    for (let i = 0; i < 100; i++) {
      if (await reachable(port)) return child;
      await sleep(50);
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server did not start on port ${port} (is redis-server installed?)`);
  };
  let child = await boot();
  return {
    url: `redis://127.0.0.1:${port}`,
    restartEmpty: async () => {
      await stopChild(child, 'SIGKILL');
      child = await boot();
    },
    stop: () => stopChild(child, 'SIGKILL'),
  };
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ServeProcess {
  url: string;
  /** Epoch ms when /ready first answered 200. */
  readyAt: number;
  stop(): Promise<void>;
}

/** `tessera serve` in its own process; resolves as soon as /ready answers 200 (polled every 10 ms). */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-bench-warm-'));
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'error',
      TESSERA_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_IP_PER_MIN: '10000000',
      RATE_LIMIT_USER_PER_MIN: '10000000',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child, 'SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  const readyAt = await waitReady(url, child).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, readyAt, stop };
}

/** Polls /ready every 10 ms until it answers 200; the epoch ms it did. */
export async function waitReady(url: string, child?: ChildProcess, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`tessera serve exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return Date.now();
    } catch {
      /* not listening yet */
    }
    await sleep(10);
  }
  throw new Error(`${url}/ready did not answer 200 within ${timeoutMs / 1000}s`);
}
