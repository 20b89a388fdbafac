import { randomUUID } from 'node:crypto';
import type { Vu } from '../engine/vu.js';
import type { Scenario } from './types.js';
import { isJsonPath, readJsonPath } from './json-path.js';
import { parseDuration } from '../../config/duration.js';

/** One request of a declarative scenario (YAML/JSON file or a module exporting `steps`). */
export interface StepSpec {
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  json?: unknown;
  body?: string;
  /** variable → JSON path into the response body (`$.token`), or `header:name`. */
  capture: Record<string, string>;
  check: { status?: number[]; body?: Record<string, unknown>; contains?: string };
  thinkMs: number;
}

export interface StepsDefinition {
  name: string;
  users: boolean;
  variables: Record<string, unknown>;
  steps: StepSpec[];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed steps definition, collecting every problem (one line each) into `errors`. */
export function validateSteps(input: unknown, where: string, errors: string[]): StepsDefinition | undefined {
  if (!isObject(input)) {
    errors.push(`${where}: must be an object with a "steps" list`);
    return undefined;
  }
  const known = ['name', 'users', 'variables', 'steps', 'thresholds', 'options'];
  for (const key of Object.keys(input))
    if (!known.includes(key)) errors.push(`${where}: unknown key "${key}" (known: ${known.join(', ')})`);
  if (input.variables !== undefined && !isObject(input.variables)) errors.push(`${where}: variables must be an object`);
  if (!Array.isArray(input.steps) || input.steps.length === 0) {
    errors.push(`${where}: steps must be a non-empty list`);
    return undefined;
  }
  const before = errors.length;
  const steps = input.steps.map((raw, i) => validateStep(raw, `${where}: steps[${i}]`, errors));
  if (errors.length > before) return undefined;
  return {
    name: typeof input.name === 'string' ? input.name : 'custom',
    users: input.users === true,
    variables: isObject(input.variables) ? input.variables : {},
    steps: steps as StepSpec[],
  };
}

function validateStep(raw: unknown, where: string, errors: string[]): StepSpec | undefined {
  if (!isObject(raw)) {
    errors.push(`${where}: must be an object`);
    return undefined;
  }
  const known = ['name', 'method', 'url', 'headers', 'json', 'body', 'capture', 'check', 'think'];
  for (const key of Object.keys(raw)) if (!known.includes(key)) errors.push(`${where}: unknown key "${key}"`);
  const method = typeof raw.method === 'string' ? raw.method.toUpperCase() : 'GET';
  if (!METHODS.includes(method))
    errors.push(`${where}: method "${String(raw.method)}" is not one of ${METHODS.join(', ')}`);
  if (typeof raw.url !== 'string' || raw.url === '')
    errors.push(`${where}: url is required (a path like /v1/auth/session or a full URL)`);
  if (
    raw.headers !== undefined &&
    (!isObject(raw.headers) || Object.values(raw.headers).some((v) => typeof v !== 'string'))
  )
    errors.push(`${where}: headers must map names to strings`);
  if (raw.body !== undefined && typeof raw.body !== 'string')
    errors.push(`${where}: body must be a string (use json for objects)`);
  if (raw.json !== undefined && raw.body !== undefined) errors.push(`${where}: give json or body, not both`);
  const capture: Record<string, string> = {};
  if (raw.capture !== undefined) {
    if (!isObject(raw.capture)) errors.push(`${where}: capture must map variable names to JSON paths`);
    else
      for (const [name, path] of Object.entries(raw.capture)) {
        if (typeof path !== 'string' || !(isJsonPath(path) || /^header:[\w-]+$/i.test(path)))
          errors.push(`${where}: capture.${name} must be a JSON path like $.token or header:NAME`);
        else capture[name] = path;
      }
  }
  const check: StepSpec['check'] = {};
  if (raw.check !== undefined) {
    if (!isObject(raw.check)) errors.push(`${where}: check must be an object {status, body, contains}`);
    else {
      const status = raw.check.status;
      if (status !== undefined) {
        const list = Array.isArray(status) ? status : [status];
        if (list.some((s) => !Number.isInteger(s) || (s as number) < 100 || (s as number) > 599))
          errors.push(`${where}: check.status must be a status code or a list of them`);
        else check.status = list as number[];
      }
      if (raw.check.body !== undefined) {
        if (!isObject(raw.check.body) || Object.keys(raw.check.body).some((p) => !isJsonPath(p)))
          errors.push(`${where}: check.body must map JSON paths ($.user.email) to expected values`);
        else check.body = raw.check.body;
      }
      if (raw.check.contains !== undefined) {
        if (typeof raw.check.contains !== 'string') errors.push(`${where}: check.contains must be a string`);
        else check.contains = raw.check.contains;
      }
      for (const key of Object.keys(raw.check))
        if (!['status', 'body', 'contains'].includes(key)) errors.push(`${where}: check has unknown key "${key}"`);
    }
  }
  let thinkMs = 0;
  if (raw.think !== undefined) {
    const ms =
      typeof raw.think === 'number' ? raw.think : typeof raw.think === 'string' ? parseDuration(raw.think) : undefined;
    if (ms === undefined || ms < 0) errors.push(`${where}: think must be a duration like 500ms`);
    else thinkMs = ms;
  }
  return {
    name: typeof raw.name === 'string' && raw.name ? raw.name : `${method} ${String(raw.url)}`,
    method,
    url: String(raw.url),
    headers: (isObject(raw.headers) ? raw.headers : {}) as Record<string, string>,
    json: raw.json,
    body: raw.body as string | undefined,
    capture,
    check,
    thinkMs,
  };
}

/** Replaces {{var}}, {{user.email}}, {{user.password}}, {{vu}}, {{iteration}}, {{uuid}}, {{timestamp}}. */
export function interpolate(text: string, vu: Vu): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => {
    switch (name) {
      case 'user.email':
        return vu.user.email;
      case 'user.password':
        return vu.user.password;
      case 'vu':
        return String(vu.id);
      case 'iteration':
        return String(vu.iteration);
      case 'uuid':
        return randomUUID();
      case 'timestamp':
        return String(Date.now());
      default: {
        const value = vu.vars[name];
        return value === undefined ? whole : typeof value === 'string' ? value : JSON.stringify(value);
      }
    }
  });
}

function interpolateDeep(value: unknown, vu: Vu): unknown {
  if (typeof value === 'string') return interpolate(value, vu);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, vu));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, vu)]));
  return value;
}

export function stepsScenario(def: StepsDefinition): Scenario {
  return {
    name: def.name,
    description: `${def.steps.length} steps: ${def.steps.map((s) => s.name).join(' → ')}`,
    needsUsers: def.users,
    async iteration(vu) {
      if (vu.iteration === 0) for (const [k, v] of Object.entries(def.variables)) vu.vars[k] ??= v;
      for (const step of def.steps) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(step.headers)) headers[k] = interpolate(v, vu);
        const res = await vu.request(step.name, step.method, interpolate(step.url, vu), {
          headers,
          json: step.json === undefined ? undefined : interpolateDeep(step.json, vu),
          body: step.body === undefined ? undefined : interpolate(step.body, vu),
          expect: step.check.status,
        });
        for (const [name, path] of Object.entries(step.capture)) {
          vu.vars[name] = path.startsWith('header:')
            ? res.headers[path.slice(7).toLowerCase()]
            : readJsonPath(res.json(), path);
        }
        if (step.check.status)
          vu.check(`${step.name}: status ${step.check.status.join('|')}`, step.check.status.includes(res.status));
        if (step.check.contains !== undefined)
          vu.check(
            `${step.name}: body contains ${step.check.contains}`,
            res.body.includes(interpolate(step.check.contains, vu)),
          );
        for (const [path, expected] of Object.entries(step.check.body ?? {})) {
          const want = interpolateDeep(expected, vu);
          vu.check(`${step.name}: ${path}`, JSON.stringify(readJsonPath(res.json(), path)) === JSON.stringify(want));
        }
        if (step.thinkMs > 0) await vu.sleep(step.thinkMs);
      }
    },
  };
}
