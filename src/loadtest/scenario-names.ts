/**
 * The built-in scenarios' names, in the registry's order, without the registry: the /v1/admin/loadtests schemas (and
 * the OpenAPI document) enumerate them on an idle server that has not loaded the scenarios, the engine and their
 * libraries. test/loadtest/scenario-names.test.ts holds them equal to `BUILTIN_SCENARIOS`.
 */
export const SCENARIO_NAMES: readonly string[] = [
  'auth',
  'session',
  'cache',
  'signup',
  'mixed',
  'bruteforce',
  'bot',
  'write-heavy',
  'invalidation',
  'mix',
];
