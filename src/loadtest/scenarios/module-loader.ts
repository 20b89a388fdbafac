import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario } from './types.js';
import type { Vu } from '../engine/vu.js';
import { stepsScenario, validateSteps } from './steps.js';

/** TypeScript modules are transpiled (esbuild when present, else the typescript package) to a temp .mjs. */
async function transpile(path: string): Promise<string> {
  const source = readFileSync(path, 'utf8');
  // Typed string, not literal: neither is a dependency, so tsc must not try to resolve them.
  const esbuildModule: string = 'esbuild';
  const typescriptModule: string = 'typescript';
  let code: string | undefined;
  try {
    const esbuild = (await import(esbuildModule)) as { transform(s: string, o: object): Promise<{ code: string }> };
    code = (await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'node20' })).code;
  } catch {
    try {
      const ts = (
        (await import(typescriptModule)) as {
          default: { transpileModule(s: string, o: object): { outputText: string } };
        }
      ).default;
      code = ts.transpileModule(source, { compilerOptions: { module: 99, target: 10 } }).outputText;
    } catch {
      throw new Error(`${path}: TypeScript scenarios need esbuild or typescript installed (or compile it to .js)`);
    }
  }
  const out = join(mkdtempSync(join(tmpdir(), 'tessera-scenario-')), 'scenario.mjs');
  writeFileSync(out, code);
  return out;
}

/**
 * A module scenario: `export default async function (vu) {…}` (one iteration), or
 * `export default { name?, setup?, iteration }`, or `export default { name?, users?, steps: [...] }`.
 */
export async function loadScenarioModule(
  path: string,
  errors: string[],
): Promise<{ scenario: Scenario; thresholds?: unknown; options?: Record<string, unknown> } | undefined> {
  const absolute = resolve(path);
  let mod: { default?: unknown; thresholds?: unknown; options?: unknown };
  try {
    const file = /\.(m|c)?ts$/i.test(absolute) ? await transpile(absolute) : absolute;
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (error) {
    errors.push(`scenario module ${path}: cannot be loaded (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const exported = mod.default;
  const options = (mod.options ?? (exported as { options?: unknown } | undefined)?.options) as
    Record<string, unknown> | undefined;
  const thresholds = mod.thresholds ?? (exported as { thresholds?: unknown } | undefined)?.thresholds;
  if (typeof exported === 'function') {
    const fn = exported as (vu: Vu) => Promise<void>;
    return {
      scenario: {
        name: fn.name || 'module',
        description: `module ${path}`,
        needsUsers: false,
        iteration: (vu) => fn(vu),
      },
      thresholds,
      options,
    };
  }
  if (exported && typeof exported === 'object') {
    const obj = exported as Partial<Scenario> & { steps?: unknown; users?: unknown };
    if (typeof obj.iteration === 'function') {
      return {
        scenario: {
          name: obj.name ?? 'module',
          description: obj.description ?? `module ${path}`,
          needsUsers: obj.needsUsers === true || obj.users === true,
          setup: obj.setup?.bind(obj),
          iteration: obj.iteration.bind(obj),
          results: obj.results?.bind(obj),
        },
        thresholds,
        options,
      };
    }
    if (obj.steps !== undefined) {
      const def = validateSteps(
        { name: obj.name, users: obj.users, steps: obj.steps },
        `scenario module ${path}`,
        errors,
      );
      return def ? { scenario: stepsScenario(def), thresholds, options } : undefined;
    }
  }
  errors.push(
    `scenario module ${path}: default export must be a function (one iteration) or an object with iteration() or steps`,
  );
  return undefined;
}
