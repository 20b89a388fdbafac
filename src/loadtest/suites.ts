import { formatDuration } from '../config/duration.js';
import { buildRunConfig } from './options.js';
import type { RunConfig } from './types.js';

/** A suite is several tests in order, reported together. Durations scale with --duration. */
export interface SuiteEntry {
  label: string;
  scenario: string;
  profile: string;
  vus?: number;
  rate?: number;
  /** Share of the suite's duration. */
  share: number;
}

export const SUITES: Record<string, { description: string; durationMs: number; entries: SuiteEntry[] }> = {
  basic: {
    description: 'smoke each core flow, then a short load on sessions',
    durationMs: 40_000,
    entries: [
      { label: 'smoke auth', scenario: 'auth', profile: 'smoke', share: 0.25 },
      { label: 'smoke session', scenario: 'session', profile: 'smoke', share: 0.25 },
      { label: 'load session', scenario: 'session', profile: 'load', vus: 10, share: 0.5 },
    ],
  },
  comprehensive: {
    description: 'every flow under load, cache behaviour and protection',
    durationMs: 150_000,
    entries: [
      { label: 'load auth', scenario: 'auth', profile: 'load', vus: 10, share: 0.15 },
      { label: 'load session', scenario: 'session', profile: 'load', vus: 20, share: 0.2 },
      { label: 'cache bursts', scenario: 'cache', profile: 'load', vus: 20, share: 0.15 },
      { label: 'signup', scenario: 'signup', profile: 'load', vus: 5, share: 0.1 },
      { label: 'mixed', scenario: 'mixed', profile: 'load', vus: 20, share: 0.2 },
      { label: 'bruteforce', scenario: 'bruteforce', profile: 'load', vus: 10, share: 0.1 },
      { label: 'bot', scenario: 'bot', profile: 'load', vus: 10, share: 0.1 },
    ],
  },
  stress: {
    description: 'stress, spike, then a breakpoint search on the mixed workload',
    durationMs: 240_000,
    entries: [
      { label: 'stress mixed', scenario: 'mixed', profile: 'stress', vus: 60, share: 0.35 },
      { label: 'spike session', scenario: 'session', profile: 'spike', vus: 100, share: 0.25 },
      { label: 'breakpoint mixed', scenario: 'mixed', profile: 'breakpoint', rate: 500, share: 0.4 },
    ],
  },
};

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
