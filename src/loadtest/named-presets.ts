/**
 * The seeds' named test configurations, as presets: `tessera loadtest --preset NAME` and the server's
 * GET /v1/admin/loadtests/presets offer the same list. Flags given beside --preset win over its values.
 */
export interface NamedPreset {
  name: string;
  description: string;
  scenario: string;
  /** Closed model: VUs. With `rate`: the open model's VU cap. */
  vus?: number;
  /** Open model: iterations per second. */
  rate?: number;
  duration: string;
}

export const NAMED_PRESETS: readonly NamedPreset[] = [
  {
    name: 'basic-cache-load',
    description: 'bursts of checks on a hot set of sessions from 10 users (cache hit rate per tier)',
    scenario: 'cache',
    vus: 10,
    duration: '1m',
  },
  {
    name: 'high-concurrency',
    description: '50 users, about 500 requests/s (50 cache iterations/s of 10 checks each, at most 50 VUs)',
    scenario: 'cache',
    vus: 50,
    rate: 50,
    duration: '1m',
  },
  {
    name: 'write-heavy',
    description: 'session data writes (compare-and-set) and refreshes from 20 users',
    scenario: 'write-heavy',
    vus: 20,
    duration: '1m',
  },
  {
    name: 'invalidation-stress',
    description: 'logouts, logout-all and password changes racing validations, 20 users (stale answers counted)',
    scenario: 'invalidation',
    vus: 20,
    duration: '1m',
  },
  {
    name: 'session-management-load',
    description: 'login, checks, sessions list, refresh and logout from 20 users',
    scenario: 'session',
    vus: 20,
    duration: '2m',
  },
  {
    name: 'extreme-load',
    description: '100 users, about 1000 requests/s (100 cache iterations/s of 10 checks each, at most 100 VUs)',
    scenario: 'cache',
    vus: 100,
    rate: 100,
    duration: '1m',
  },
  {
    name: 'brute-force-attack',
    description: '50 attackers at 10 failed logins/s each beside legitimate users, 2 m (target needs TRUST_PROXY)',
    scenario: 'bruteforce',
    vus: 50,
    duration: '2m',
  },
  {
    name: 'bot-attack',
    description: '100 bots at 50 requests/min each stuffing credentials and signing up, 2 m (target needs TRUST_PROXY)',
    scenario: 'bot',
    vus: 100,
    duration: '2m',
  },
];

export function findPreset(name: string): NamedPreset | undefined {
  return NAMED_PRESETS.find((p) => p.name === name);
}
