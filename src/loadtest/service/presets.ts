import { PROFILES } from '../profiles.js';
import { BUILTIN_SCENARIOS } from '../scenarios/registry.js';
import { SUITES, entryDurationMs } from '../suites.js';
import { LOADTEST_LIMITS } from './limits.js';
import { NAMED_PRESETS } from '../named-presets.js';
import { parseDuration } from '../../config/duration.js';

/** Scenarios that fail logins on purpose from addresses they put in X-Forwarded-For. */
export const ATTACK_SCENARIOS: ReadonlySet<string> = new Set(['bruteforce', 'bot']);

/** A suite is an attack when one of its entries is. */
export const isAttack = (scenarioOrSuite: { scenario?: string; suite?: string }): boolean =>
  scenarioOrSuite.scenario !== undefined
    ? ATTACK_SCENARIOS.has(scenarioOrSuite.scenario)
    : (SUITES[scenarioOrSuite.suite ?? '']?.entries ?? []).some((e) => ATTACK_SCENARIOS.has(e.scenario));

/** A profile's duration when none is given, within the server's bound. */
export const defaultDurationMs = (profile: string | undefined): number =>
  Math.min(profile === undefined ? 10_000 : PROFILES[profile].durationMs, LOADTEST_LIMITS.maxDurationMs);

export interface PresetsContext {
  selfUrl: string;
  allowHosts: readonly string[];
  /** Whether attack scenarios may run against this server (see LoadTestService). */
  attacksOnSelf: { allowed: boolean; reason?: string };
}

/** What a UI needs to offer runs: every scenario × profile and every suite, with the defaults this server applies. */
export function listPresets(context: PresetsContext) {
  const scenarios = Object.values(BUILTIN_SCENARIOS).map((s) => ({
    name: s.name,
    description: s.description,
    attack: ATTACK_SCENARIOS.has(s.name),
    ...(ATTACK_SCENARIOS.has(s.name) && !context.attacksOnSelf.allowed
      ? { selfNote: context.attacksOnSelf.reason }
      : {}),
  }));
  const profiles = Object.entries(PROFILES).map(([name, p]) => ({
    name,
    description: p.description,
    model: p.forceOpen ? ('open' as const) : ('closed' as const),
    durationMs: defaultDurationMs(name),
    vus: p.vus,
    rate: p.rate,
    thresholds: p.thresholds,
  }));
  const suites = Object.entries(SUITES).map(([name, s]) => ({
    name,
    description: s.description,
    durationMs: s.durationMs,
    attack: isAttack({ suite: name }),
    entries: s.entries.map((e) => ({
      label: e.label,
      scenario: e.scenario,
      profile: e.profile,
      durationMs: entryDurationMs(e, s.durationMs),
      ...(e.vus !== undefined ? { vus: e.vus } : {}),
      ...(e.rate !== undefined ? { rate: e.rate } : {}),
    })),
  }));
  const presets = [
    // The seeds' named configurations: the same list as `tessera loadtest --preset NAME`.
    ...NAMED_PRESETS.map((p) => ({
      id: p.name,
      label: `${p.name}: ${p.description}`,
      body: {
        scenario: p.scenario,
        ...(p.rate !== undefined ? { rate: p.rate } : { vus: p.vus }),
        duration: p.duration,
      },
      model: p.rate !== undefined ? ('open' as const) : ('closed' as const),
      durationMs: Math.min(parseDuration(p.duration) ?? 60_000, LOADTEST_LIMITS.maxDurationMs),
      ...(p.rate !== undefined ? { rate: p.rate } : { vus: p.vus }),
      attack: ATTACK_SCENARIOS.has(p.scenario),
    })),
    ...scenarios.flatMap((s) =>
      profiles.map((p) => ({
        id: `${s.name}/${p.name}`,
        label: `${s.name} · ${p.name}`,
        body: { scenario: s.name, profile: p.name },
        model: p.model,
        durationMs: p.durationMs,
        ...(p.model === 'open' ? { rate: p.rate } : { vus: p.vus }),
        attack: s.attack,
      })),
    ),
    ...suites.map((s) => ({
      id: `suite/${s.name}`,
      label: `suite ${s.name}`,
      body: { suite: s.name },
      model: 'suite' as const,
      durationMs: s.durationMs,
      attack: s.attack,
    })),
  ];
  return {
    limits: LOADTEST_LIMITS,
    defaultTarget: context.selfUrl,
    allowHosts: [...context.allowHosts],
    scenarios,
    profiles,
    suites,
    presets,
  };
}
