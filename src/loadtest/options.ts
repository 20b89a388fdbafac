import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../config/duration.js';
import { parseStage, type Stage } from './engine/stages.js';
import { parseThresholdFlag, parseThresholdObject } from './thresholds/parser.js';
import type { Threshold } from './thresholds/types.js';
import { PROFILES, applyProfile } from './profiles.js';
import { BUILTIN_SCENARIOS } from './scenarios/registry.js';
import { isModulePath, loadScenarioFile } from './scenarios/file-loader.js';
import { loadScenarioModule } from './scenarios/module-loader.js';
import { DEFAULT_PASSWORD, type RunConfig, type ScenarioRef } from './types.js';
import { asText } from './as-text.js';
import { NAMED_PRESETS, findPreset } from './named-presets.js';
import { parseMix } from './scenarios/operation-mix.js';
import { resolveNamedTarget } from './named-targets.js';
import { ATTACK_DEFAULT_DURATION_MS, ATTACK_SCENARIOS, buildAttackPlan } from './attack-options.js';

/** The loadtest flags as commander hands them over (strings; validated here, all errors collected). */
export interface RawOptions {
  file?: string;
  target?: string;
  url?: string;
  method?: string;
  header?: string[];
  body?: string;
  scenario?: string;
  profile?: string;
  vus?: string;
  rate?: string;
  maxVus?: string;
  duration?: string;
  stage?: string[];
  think?: string;
  workers?: string;
  threshold?: string[];
  abortOnFail?: boolean;
  config?: string;
  users?: string;
  password?: string;
  timeout?: string;
  self?: boolean;
  label?: string;
  /** Bearer token for the target's /metrics (its METRICS_TOKEN). */
  metricsToken?: string;
  attackers?: string;
  attackRate?: string;
  bots?: string;
  botRate?: string;
  legitVus?: string;
  adminEmail?: string;
  adminPassword?: string;
  preset?: string;
  requests?: string;
  mix?: string;
}

export const DEFAULT_TARGET = 'http://127.0.0.1:3000';
/** -n without --duration: the run ends at the count, or after an hour at the latest. */
const REQUESTS_TIME_CAP_MS = 3_600_000;

function int(name: string, text: string | undefined, errors: string[], min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !Number.isFinite(n) || n < min || n > max) {
    errors.push(`--${name} "${text}" must be a number from ${min} to ${max}`);
    return undefined;
  }
  return n;
}

function duration(name: string, text: string | undefined, errors: string[]): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) errors.push(`--${name} "${text}" is not a duration like 500ms, 30s, 5m`);
  return ms;
}

function readConfigFile(path: string, errors: string[]): Record<string, unknown> | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const data: unknown = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      errors.push(`--config ${path}: must be an object with thresholds and/or options`);
      return undefined;
    }
    return data as Record<string, unknown>;
  } catch (error) {
    errors.push(`--config ${path}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** Turns flags (+ scenario/config files) into a validated RunConfig; every problem lands in `errors`. */
export async function buildRunConfig(given: RawOptions, errors: string[]): Promise<RunConfig | undefined> {
  const raw = withPreset(given, errors);
  const fileOptions: Record<string, unknown> = {};
  const thresholds: Threshold[] = [];

  // Scenario.
  let scenario: ScenarioRef | undefined;
  const sources = [raw.file && 'SCENARIO_FILE', raw.url && '--url', raw.scenario && '--scenario'].filter(Boolean);
  if (sources.length > 1) errors.push(`give one of SCENARIO_FILE, --url, --scenario (got ${sources.join(' and ')})`);
  if (raw.url !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(raw.url);
      if (!/^https?:$/.test(url.protocol)) throw new Error('protocol');
    } catch {
      errors.push(`--url "${raw.url}" is not an http(s) URL`);
    }
    const headers: Record<string, string> = {};
    for (const h of raw.header ?? []) {
      const colon = h.indexOf(':');
      if (colon <= 0) errors.push(`--header "${h}" is not "Name: value"`);
      else headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    }
    const method = (raw.method ?? (raw.body !== undefined ? 'POST' : 'GET')).toUpperCase();
    if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].includes(method))
      errors.push(`--method "${raw.method}" is not an HTTP method`);
    if (raw.body !== undefined && headers['content-type'] === undefined && /^\s*[[{]/.test(raw.body))
      headers['content-type'] = 'application/json';
    if (url) scenario = { kind: 'url', url: url.href, method, headers, body: raw.body };
  } else if (raw.file !== undefined) {
    const loaded = isModulePath(raw.file)
      ? await loadScenarioModule(raw.file, errors)
      : loadScenarioFile(raw.file, errors);
    if (loaded) {
      scenario = isModulePath(raw.file) ? { kind: 'module', path: raw.file } : { kind: 'file', path: raw.file };
      thresholds.push(...parseThresholdObject(loaded.thresholds, errors));
      Object.assign(fileOptions, loaded.options ?? {});
    }
  } else {
    // --mix alone runs the `mix` scenario.
    const name = raw.scenario ?? (raw.mix !== undefined ? 'mix' : 'auth');
    if (!(name in BUILTIN_SCENARIOS))
      errors.push(`--scenario "${name}" is unknown (known: ${Object.keys(BUILTIN_SCENARIOS).join(', ')})`);
    else scenario = { kind: 'builtin', name };
  }
  if ((raw.header?.length || raw.method || raw.body !== undefined) && raw.url === undefined)
    errors.push('--method, --header and --body go with --url');

  // Config file (k6-style thresholds and options).
  if (raw.config !== undefined) {
    const data = readConfigFile(raw.config, errors);
    if (data) {
      thresholds.push(...parseThresholdObject(data.thresholds, errors));
      if (data.options !== undefined) Object.assign(fileOptions, data.options as object);
    }
  }
  const opt = (key: string): string | undefined =>
    fileOptions[key] === undefined ? undefined : asText(fileOptions[key]);

  // Target.
  let target = raw.target ?? DEFAULT_TARGET;
  // A name (no scheme): a target of ./tessera.loadtest.yaml.
  if (raw.target !== undefined && /^[A-Za-z0-9_-]+$/.test(raw.target))
    target = resolveNamedTarget(raw.target, errors) ?? target;
  if (raw.url !== undefined && raw.target === undefined) target = new URL(raw.url, DEFAULT_TARGET).origin;
  try {
    const t = new URL(target);
    if (!/^https?:$/.test(t.protocol)) throw new Error('protocol');
    target = t.href;
  } catch {
    errors.push(`--target "${raw.target}" is not an http(s) URL`);
  }
  if (raw.self && raw.target !== undefined) errors.push('--self starts its own target: drop --target');
  if (raw.self && raw.url !== undefined) errors.push('--self and --url do not go together');

  // Load shape.
  const vus = int('vus', raw.vus ?? opt('vus'), errors, 1, 100_000);
  const rate = int('rate', raw.rate ?? opt('rate'), errors, 0.01, 1_000_000);
  const maxVus = int('max-vus', raw.maxVus ?? opt('maxVus'), errors, 1, 100_000);
  const durationMs = duration('duration', raw.duration ?? opt('duration'), errors);
  const workers = int('workers', raw.workers, errors, 1, 64) ?? 1;
  if (workers !== Math.floor(workers)) errors.push(`--workers "${raw.workers}" must be a whole number`);
  const users = int('users', raw.users, errors, 0, 100_000);
  const requests = int('requests', raw.requests, errors, 1, 1_000_000_000);
  const mix = raw.mix === undefined ? undefined : parseMix(raw.mix, errors);
  if (raw.mix !== undefined && raw.scenario !== undefined && raw.scenario !== 'mix')
    errors.push(`--mix goes with --scenario mix (or alone), not --scenario ${raw.scenario}`);
  if (requests !== undefined && requests !== Math.floor(requests))
    errors.push(`--requests "${raw.requests}" must be a whole number`);
  const timeoutMs = duration('timeout', raw.timeout, errors) ?? 30_000;
  let thinkMs: [number, number] = [0, 0];
  const think = raw.think ?? opt('think');
  if (think !== undefined) {
    const [a, b] = think.split('-');
    const min = parseDuration(a ?? '');
    const max = b === undefined ? min : parseDuration(b);
    if (min === undefined || max === undefined || max < min)
      errors.push(`--think "${think}" is not a duration or a range like 1s-3s`);
    else thinkMs = [min, max];
  }
  const stages: Stage[] = [];
  for (const s of raw.stage ?? []) {
    const stage = parseStage(s, errors);
    if (stage) stages.push(stage);
  }
  if (raw.profile !== undefined && !(raw.profile in PROFILES))
    errors.push(`--profile "${raw.profile}" is unknown (known: ${Object.keys(PROFILES).join(', ')})`);
  if (raw.profile !== undefined && stages.length > 0)
    errors.push('--profile and --stage both set the stages: give one');

  // Thresholds from flags.
  for (const t of raw.threshold ?? []) {
    const parsed = parseThresholdFlag(t, raw.abortOnFail === true, errors);
    if (parsed) thresholds.push(parsed);
  }
  if (raw.abortOnFail && !raw.threshold?.length) errors.push('--abort-on-fail needs at least one --threshold');

  const attack =
    scenario?.kind === 'builtin' && ATTACK_SCENARIOS.has(scenario.name)
      ? buildAttackPlan(scenario.name, raw, { vus, rate, profile: raw.profile, stages: stages.length }, errors)
      : undefined;
  if (!attack) {
    for (const [flag, value] of Object.entries({
      '--attackers': raw.attackers,
      '--attack-rate': raw.attackRate,
      '--bots': raw.bots,
      '--bot-rate': raw.botRate,
      '--legit-vus': raw.legitVus,
    }))
      if (value !== undefined) errors.push(`${flag} goes with --scenario bruteforce or bot`);
  }
  if ((raw.adminEmail === undefined) !== (raw.adminPassword === undefined))
    errors.push('--admin-email and --admin-password go together');

  let model: 'closed' | 'open' = rate !== undefined ? 'open' : 'closed';
  // --url alone behaves like autocannon: 10 connections.
  let start = attack
    ? attack.clients + attack.legit
    : model === 'open'
      ? (rate ?? 0)
      : (vus ?? (stages.length ? 0 : scenario?.kind === 'url' ? 10 : 1));
  // -n smaller than the VUs: no more VUs than requests, so the count is exact for one-request iterations.
  if (requests !== undefined && model === 'closed' && !attack) start = Math.min(start, requests);
  let planStages = stages.length
    ? stages
    : [
        {
          durationMs:
            durationMs ??
            (attack ? ATTACK_DEFAULT_DURATION_MS : requests !== undefined ? REQUESTS_TIME_CAP_MS : 10_000),
          target: start,
        },
      ];
  let breakpoint = false;
  if (attack && raw.profile !== undefined && raw.profile in PROFILES && durationMs === undefined)
    planStages = [{ durationMs: PROFILES[raw.profile].durationMs, target: start }];
  if (!attack && raw.profile !== undefined && raw.profile in PROFILES) {
    const p = applyProfile(raw.profile, { vus, rate, durationMs });
    model = p.model;
    start = p.start;
    planStages = p.stages;
    breakpoint = p.breakpoint;
    if (thresholds.length === 0)
      for (const t of p.defaultThresholds) {
        const parsed = parseThresholdFlag(t, breakpoint, errors);
        if (parsed) thresholds.push(parsed);
      }
  }
  const peak = Math.max(start, ...planStages.map((s) => s.target));
  const openCap = maxVus ?? Math.min(Math.max(100, Math.ceil(peak)), 5000);
  if (errors.length > 0 || !scenario) return undefined;
  return {
    plan: {
      scenario,
      target,
      model,
      start,
      stages: planStages,
      maxVus: model === 'open' ? openCap : Math.ceil(peak),
      preAllocatedVus: model === 'open' ? Math.min(openCap, vus ?? Math.min(10, openCap)) : 0,
      thinkMs,
      users:
        users ??
        (attack
          ? attack.legit + attack.targets
          : scenario.kind === 'url'
            ? 0
            : Math.min(Math.max(Math.ceil(model === 'open' ? openCap : peak), 1), 50)),
      ...(attack ? { attack } : {}),
      ...(requests !== undefined ? { requests } : {}),
      ...(mix ? { mix } : {}),
      password: raw.password ?? DEFAULT_PASSWORD,
      timeoutMs,
      gracefulStopMs: Math.min(timeoutMs, 5_000),
    },
    thresholds,
    workers,
    profile: raw.profile,
    breakpoint,
    scrapeTargetMetrics: scenario.kind !== 'url' || thresholds.some((t) => t.metric.startsWith('target_')),
    ...(raw.metricsToken ? { metricsToken: raw.metricsToken } : {}),
    ...(raw.adminEmail !== undefined && raw.adminPassword !== undefined
      ? { seedAdmin: { email: raw.adminEmail, password: raw.adminPassword } }
      : {}),
    label: raw.label,
  };
}

/** --preset NAME fills the scenario and load its flags leave unset. */
function withPreset(raw: RawOptions, errors: string[]): RawOptions {
  if (raw.preset === undefined) return raw;
  const preset = findPreset(raw.preset);
  if (!preset) {
    errors.push(`--preset "${raw.preset}" is unknown (known: ${NAMED_PRESETS.map((p) => p.name).join(', ')})`);
    return raw;
  }
  if (raw.file !== undefined || raw.url !== undefined)
    errors.push('--preset names a built-in scenario: drop SCENARIO_FILE/--url');
  const open = preset.rate !== undefined;
  const loadGiven = raw.vus !== undefined || raw.rate !== undefined || raw.stage?.length || raw.profile !== undefined;
  return {
    ...raw,
    scenario: raw.scenario ?? preset.scenario,
    duration: raw.duration ?? preset.duration,
    ...(loadGiven
      ? {}
      : open
        ? { rate: String(preset.rate), maxVus: raw.maxVus ?? String(preset.vus) }
        : { vus: String(preset.vus) }),
  };
}
