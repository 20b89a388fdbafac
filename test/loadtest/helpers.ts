import { buildRunConfig, type RawOptions } from '../../src/loadtest/options.js';
import { runLoadTest } from '../../src/loadtest/run.js';
import type { Report } from '../../src/loadtest/report/types.js';

/** Builds a config from CLI-style options (failing the test on config errors) and runs it quietly; `log` collects its lines. */
export async function runQuiet(options: RawOptions, log: string[] = []): Promise<Report> {
  const errors: string[] = [];
  const config = await buildRunConfig(options, errors);
  if (!config) throw new Error(`config errors: ${errors.join('; ')}`);
  return runLoadTest(config, { log: (line) => void log.push(line) });
}
