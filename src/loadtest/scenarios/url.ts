import type { Scenario } from './types.js';
import type { ScenarioRef } from '../types.js';

/** `--url`: one request per iteration, as autocannon does. */
export function urlScenario(ref: Extract<ScenarioRef, { kind: 'url' }>): Scenario {
  return {
    name: 'url',
    description: `${ref.method} ${ref.url}`,
    needsUsers: false,
    fastLoop: true,
    async iteration(vu) {
      await vu.request('url', ref.method, ref.url, { headers: ref.headers, body: ref.body });
    },
  };
}
