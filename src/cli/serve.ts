import cluster from 'node:cluster';
import type { Command } from 'commander';
import { addConfigFlags, configOrExit, flagsFrom } from './config-flags.js';
import type { Config } from '../config/index.js';

export function registerServe(program: Command): void {
  addConfigFlags(
    program.command('serve').description('Run the Tessera HTTP server (embedded mode without DATABASE_URL/REDIS_URL).'),
  ).action(async (options: Record<string, unknown>) => {
    const config = configOrExit(options);
    if (config.workers > 1 && cluster.isPrimary) return runPrimary(config);
    await runServer(options, cluster.isWorker);
  });
}

async function runServer(options: Record<string, unknown>, isWorker: boolean): Promise<void> {
  const { startTessera } = await import('../server.js');
  const server = await startTessera({ flags: flagsFrom(options), migrate: !isWorker });
  const { logger } = server.runtime;
  logger.info({ url: server.url, mode: server.config.mode }, 'tessera listening'); // pid is in every line already
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: draining requests, stopping jobs, closing pools');
    const force = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, server.config.shutdownTimeout);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** `--workers N`: migrate once, fork N servers sharing the port, relay invalidations, restart crashed workers. */
async function runPrimary(config: Config): Promise<void> {
  const [{ createLogger }, { createStore }, { relayBusMessagesInPrimary }, { startClusterCounters }] =
    await Promise.all([
      import('../logger.js'),
      import('../store/create-store.js'),
      import('../cache/bus-cluster-ipc.js'),
      import('../security/limiter.js'),
    ]);
  const logger = createLogger(config);
  const store = await createStore(config);
  await store.migrate();
  await store.close();
  relayBusMessagesInPrimary(cluster);
  if (!config.hasRedis) startClusterCounters(); // one set of rate-limit counters for every worker
  let stopping = false;
  const stop = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
    }, 50);
    setTimeout(() => process.exit(1), config.shutdownTimeout + 1000).unref();
  };
  // Only a worker that served is replaced: one that dies before listening (port in use, unreachable
  // database…) would take every replacement down the same way, in an endless fork loop.
  const served = new Set<number>();
  cluster.on('listening', (worker) => served.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (!served.delete(worker.id)) {
      logger.error({ worker: worker.process.pid, code, signal }, 'worker failed before serving; stopping');
      stop(1);
      return;
    }
    logger.warn({ worker: worker.process.pid, code, signal }, 'worker exited; starting another');
    cluster.fork();
  });
  for (let i = 0; i < config.workers; i += 1) cluster.fork();
  logger.info({ workers: config.workers, port: config.port }, 'tessera primary started');
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
}
