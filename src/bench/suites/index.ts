import { hotPathSuite } from './hot-path.js';
import { layersSuite } from './layers.js';
import { loginSuite } from './login.js';
import { memorySuite } from './memory.js';
import { peersSuite } from './peers.js';
import { redisSuite } from './redis-ops.js';
import { securitySuite } from './security.js';
import { tiersSuite } from './tiers.js';
import { warmSuite } from './warm.js';
import { clientSuite } from './client.js';
import type { Suite } from './types.js';

/** Every suite, in the order `--suite all` runs them (all but `warm`, which takes minutes: it is run on its own). */
export const SUITES: Suite[] = [
  hotPathSuite,
  layersSuite,
  tiersSuite,
  redisSuite,
  memorySuite,
  peersSuite,
  loginSuite,
  securitySuite,
  clientSuite,
  warmSuite,
];

export const suiteNames = (): string[] => SUITES.map((s) => s.name);

/** What `--suite all` runs. */
export const allSuiteNames = (): string[] => suiteNames().filter((name) => name !== 'warm');
