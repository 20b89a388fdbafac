import { describe, expect, it } from 'vitest';
import { SCENARIO_NAMES } from '../../src/loadtest/scenario-names.js';
import { BUILTIN_SCENARIOS } from '../../src/loadtest/scenarios/registry.js';

describe('the built-in scenario names (the admin schemas enumerate them without loading the scenarios)', () => {
  it('are the registry’s, in order', () => {
    expect(SCENARIO_NAMES).toEqual(Object.keys(BUILTIN_SCENARIOS));
  });
});
