import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { stepsScenario, validateSteps } from './steps.js';
import type { Scenario } from './types.js';

export interface ScenarioFile {
  scenario: Scenario;
  /** k6-style thresholds object from the file, if any (parsed by the caller with the CLI's). */
  thresholds?: unknown;
  /** options: {vus, rate, duration, think, maxVus}. */
  options?: Record<string, unknown>;
}

export function isModulePath(path: string): boolean {
  return /\.(m|c)?(t|j)s$/i.test(path);
}

/** Reads a YAML/JSON steps scenario; every problem goes into `errors`. */
export function loadScenarioFile(path: string, errors: string[]): ScenarioFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    errors.push(`scenario file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return undefined;
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    errors.push(
      `scenario file ${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'} (${(error as Error).message.split('\n')[0]})`,
    );
    return undefined;
  }
  const def = validateSteps(data, `scenario file ${path}`, errors);
  if (!def) return undefined;
  const obj = data as Record<string, unknown>;
  const options = obj.options;
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    errors.push(`scenario file ${path}: options must be an object`);
    return undefined;
  }
  return {
    scenario: stepsScenario(def),
    thresholds: obj.thresholds,
    options: options as Record<string, unknown> | undefined,
  };
}
