// The suites' table alone, without the run-configuration builder (and the engine, scenarios and libraries it
// loads): the CLI's help and the admin API's schemas list the suites without running one.

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
