import type { FastifyInstance } from 'fastify';
import { loadConfig, stillOpenInProduction, type Config, type ConfigKey } from './config/index.js';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
import { buildApp } from './http/app.js';

export interface StartOptions extends RuntimeOptions {
  /** Environment to read the configuration from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Settings that win over the environment, as `serve` flags do. */
  flags?: Partial<Record<ConfigKey, string>>;
  port?: number;
  host?: string;
}

export interface RunningTessera {
  url: string;
  config: Config;
  runtime: Runtime;
  app: FastifyInstance;
  /** Drains in-flight requests, stops jobs, closes pools. */
  close(): Promise<void>;
}

/** Loads the config, wires the runtime, starts jobs and listens. */
export async function startTessera(options: StartOptions = {}): Promise<RunningTessera> {
  const flags = { ...options.flags };
  if (options.port !== undefined) flags.port = String(options.port);
  if (options.host !== undefined) flags.host = options.host;
  const config = loadConfig(options.env ?? process.env, flags);
  const runtime = await createRuntime(config, options);
  const app = await buildApp(runtime);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  runtime.startJobs();
  for (const { setting, message } of stillOpenInProduction(config))
    runtime.logger.warn({ setting }, `production: ${message}`);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    config,
    runtime,
    app,
    close: () => (closing ??= app.close().then(() => runtime.close())),
  };
}
