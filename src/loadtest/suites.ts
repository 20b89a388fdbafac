import { formatDuration } from '../config/duration.js';
import { buildRunConfig } from './options.js';
import type { RunConfig } from './types.js';
import { SUITES, type SuiteEntry } from './suite-table.js';

export { SUITES, type SuiteEntry } from './suite-table.js';

/**
 * One run configuration per entry of a suite, each lasting its share of `durationMs` (at least 1 s).
 * Problems land in `errors` (as buildRunConfig reports them).
 */
export async function suiteConfigs(
  name: string,
  options: { target?: string; durationMs: number; workers?: string },
  errors: string[],
): Promise<RunConfig[]> {
  const suite = SUITES[name];
  if (!suite) {
    errors.push(`suite "${name}" is unknown (known: ${Object.keys(SUITES).join(', ')})`);
    return [];
  }
  const configs: RunConfig[] = [];
  for (const entry of suite.entries) {
    const config = await buildRunConfig(
      {
        scenario: entry.scenario,
        profile: entry.profile,
        target: options.target,
        workers: options.workers,
        vus: entry.vus?.toString(),
        rate: entry.rate?.toString(),
        duration: formatDuration(entryDurationMs(entry, options.durationMs)),
        label: entry.label,
      },
      errors,
    );
    if (config) configs.push(config);
  }
  return configs;
}

export function entryDurationMs(entry: SuiteEntry, suiteDurationMs: number): number {
  return Math.max(1000, Math.round((suiteDurationMs * entry.share) / 1000) * 1000);
}
