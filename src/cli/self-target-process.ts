/**
 * Forked by self-target.ts for `loadtest --self`: runs the embedded Tessera in a process of its own, so the load
 * generator's CPU and the target's are two measurements (each process's own), then reports where it listens.
 * Stops when told or when the generator goes away.
 */
import type { SelfTargetMessage, SelfTargetReply } from './self-target.js';

interface Running {
  url: string;
  close(): Promise<void>;
}
type StartTessera = (options: { env: Record<string, string>; port: number; host: string }) => Promise<Running>;

let running: Running | undefined;
const reply = (message: SelfTargetReply, then: () => void = () => {}): void => void process.send!(message, then);

async function start(env: Record<string, string>): Promise<void> {
  // Loaded lazily (through a variable) so the load tester builds and runs without the server module.
  const serverModule: string = '../index.js';
  const { startTessera } = (await import(serverModule)) as { startTessera?: StartTessera };
  if (typeof startTessera !== 'function') throw new Error('this build has no startTessera()');
  running = await startTessera({ port: 0, host: '127.0.0.1', env });
  reply({ ready: { url: running.url, pid: process.pid } });
}

async function stop(): Promise<never> {
  const timer = setTimeout(() => process.exit(1), 10_000);
  await running?.close().catch(() => {});
  clearTimeout(timer);
  process.exit(0);
}

process.on('message', (message: SelfTargetMessage) => {
  if ('stop' in message) return void stop();
  start(message.start).catch((error: unknown) =>
    reply({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
  );
});
process.on('disconnect', () => void stop());
