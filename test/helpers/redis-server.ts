import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './services.js';

export interface OwnRedis {
  port: number;
  url: string;
  process: ChildProcess;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Starts a private redis-server on a free loopback port (or `port`, from the test's own fixed range), for fault
 * tests (never touch the shared one).
 */
export async function startRedisServer(extraArgs: string[] = [], options: { port?: number } = {}): Promise<OwnRedis> {
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs];
  const boot = async (): Promise<ChildProcess> => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    try {
      await waitForRedis(port);
    } catch (error) {
      child.kill('SIGKILL'); // never leave a stray redis-server behind
      throw error;
    }
    return child;
  };
  const handle: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: await boot(),
    pause: () => handle.process.kill('SIGSTOP'),
    resume: () => handle.process.kill('SIGCONT'),
    stop: async () => {
      const child = handle.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    restart: async () => {
      await handle.stop();
      handle.process = await boot();
    },
  };
  return handle;
}

async function waitForRedis(port: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const c = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      enableReadyCheck: false,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      return;
    } catch (error) {
      if (/NOAUTH/.test(String(error))) return; // up, with --requirepass
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      c.disconnect();
    }
  }
  throw new Error(`redis-server on port ${port} did not start`);
}
