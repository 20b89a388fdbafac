import type { Scenario } from './types.js';
import type { ScenarioRef } from '../types.js';
import { auth } from './auth.js';
import { session } from './session.js';
import { cache } from './cache.js';
import { signup } from './signup.js';
import { mixed } from './mixed.js';
import { bruteforce } from './bruteforce.js';
import { bot } from './bot.js';
import { writeHeavy } from './write-heavy.js';
import { invalidation } from './invalidation.js';
import { operationMix } from './operation-mix.js';
import { urlScenario } from './url.js';
import { loadScenarioFile, isModulePath } from './file-loader.js';
import { loadScenarioModule } from './module-loader.js';

export const BUILTIN_SCENARIOS: Record<string, Scenario> = {
  auth,
  session,
  cache,
  signup,
  mixed,
  bruteforce,
  bot,
  'write-heavy': writeHeavy,
  invalidation,
  mix: operationMix,
};

/** Resolves a scenario reference (in the main thread and again in each worker). */
export async function resolveScenario(ref: ScenarioRef): Promise<Scenario> {
  const errors: string[] = [];
  switch (ref.kind) {
    case 'url':
      return urlScenario(ref);
    case 'builtin': {
      const found = BUILTIN_SCENARIOS[ref.name];
      if (!found) throw new Error(`unknown scenario ${ref.name}`);
      return found;
    }
    case 'file':
    case 'module': {
      const loaded = isModulePath(ref.path)
        ? await loadScenarioModule(ref.path, errors)
        : loadScenarioFile(ref.path, errors);
      if (!loaded) throw new Error(errors.join('; '));
      return loaded.scenario;
    }
  }
}
