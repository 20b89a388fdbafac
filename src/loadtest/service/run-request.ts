import { formatDuration, parseDuration } from '../../config/duration.js';
import { TesseraError, type FieldProblem } from '../../errors/index.js';
import { maxValue, totalDuration } from '../engine/stages.js';
import { buildRunConfig } from '../options.js';
import { PROFILES } from '../profiles.js';
import { BUILTIN_SCENARIOS } from '../scenarios/registry.js';
import { SUITES, suiteConfigs } from '../suites.js';
import type { RunConfig } from '../types.js';
import { LOADTEST_LIMITS } from './limits.js';
import { defaultDurationMs, isAttack } from './presets.js';
import { resolveTarget, type SelfAddress } from './target.js';

/** The body of POST /v1/admin/loadtests (its JSON schema has already checked types and ranges). */
export interface StartInput {
  scenario?: string;
  suite?: string;
  profile?: string;
  vus?: number;
  rate?: number;
  duration?: string;
  target?: string;
  thresholds?: string[];
  name?: string;
}

export interface PreparedRun {
  kind: 'scenario' | 'suite';
  /** `auth/smoke`, `session` (no profile), `suite/basic`. */
  preset: string;
  name: string | null;
  target: string;
  self: boolean;
  params: Record<string, unknown>;
  /** One configuration, or one per suite entry, run in order. */
  configs: RunConfig[];
  totalMs: number;
}

export interface PrepareContext {
  self: SelfAddress;
  allowHosts: readonly string[];
  attacksOnSelf: { allowed: boolean; reason?: string };
  /** Generate the load in a worker thread (keeps the server's own event loop for the server). */
  threaded: boolean;
  /** This server's METRICS_TOKEN: given to runs against this server only. */
  metricsToken?: string;
}

/** The load tester's own messages name CLI flags (`--vus …`): say which field of the body they are about. */
function asProblem(message: string): FieldProblem {
  const flag = /^--([a-z-]+)/.exec(message)?.[1];
  const field = flag === 'threshold' || /^threshold/.test(message) ? 'thresholds' : (flag ?? 'body');
  return { field, message: message.replace(/^--[a-z-]+\s*/, '') };
}

const invalid = (details: FieldProblem[]): TesseraError =>
  new TesseraError('invalid_request', 'Some fields are invalid.', { details });

/**
 * Turns a request into run configurations the load tester accepts, or throws the one error: 403 target_not_allowed
 * for a target outside the allow-list, 400 invalid_request naming each bad field. Nothing is sent anywhere here.
 */
export async function prepareRun(input: StartInput, context: PrepareContext): Promise<PreparedRun> {
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string): void => void problems.push({ field, message });
  const suite = input.suite;
  if (input.scenario !== undefined && suite !== undefined) problem('suite', 'give a scenario or a suite, not both');
  if (suite !== undefined) {
    if (!(suite in SUITES)) problem('suite', `is unknown (known: ${Object.keys(SUITES).join(', ')})`);
    for (const field of ['profile', 'vus', 'rate', 'thresholds'] as const) {
      if (input[field] !== undefined)
        problem(field, 'a suite sets its own profiles, load and thresholds: give only duration, target and name');
    }
  }
  const scenario = suite === undefined ? (input.scenario ?? 'auth') : undefined;
  if (scenario !== undefined && !(scenario in BUILTIN_SCENARIOS))
    problem('scenario', `is unknown (known: ${Object.keys(BUILTIN_SCENARIOS).join(', ')})`);
  if (input.profile !== undefined && !(input.profile in PROFILES))
    problem('profile', `is unknown (known: ${Object.keys(PROFILES).join(', ')})`);
  if (
    input.vus !== undefined &&
    !(Number.isInteger(input.vus) && input.vus >= 1 && input.vus <= LOADTEST_LIMITS.maxVus)
  )
    problem('vus', `must be a whole number from 1 to ${LOADTEST_LIMITS.maxVus}`);
  if (input.rate !== undefined && !(input.rate > 0 && input.rate <= LOADTEST_LIMITS.maxRate))
    problem('rate', `must be above 0 and at most ${LOADTEST_LIMITS.maxRate} iterations per second`);
  if ((input.thresholds?.length ?? 0) > LOADTEST_LIMITS.maxThresholds)
    problem('thresholds', `at most ${LOADTEST_LIMITS.maxThresholds}`);
  let durationMs: number | undefined;
  if (input.duration !== undefined) {
    durationMs = parseDuration(input.duration);
    if (durationMs === undefined) problem('duration', 'is not a duration like 30s or 5m');
    else if (durationMs < 1000 || durationMs > LOADTEST_LIMITS.maxDurationMs)
      problem('duration', `must be between 1s and ${formatDuration(LOADTEST_LIMITS.maxDurationMs)}`);
  }
  if (problems.length > 0) throw invalid(problems);

  const decision = resolveTarget(input.target, context.self, context.allowHosts);
  if (!decision.ok)
    throw new TesseraError('target_not_allowed', `Load-test target refused: ${decision.reason}.`, {
      details: [{ field: 'target', message: decision.reason }],
    });
  if (decision.self && !context.attacksOnSelf.allowed && isAttack({ scenario, suite })) {
    throw invalid([
      {
        field: suite === undefined ? 'scenario' : 'suite',
        message: context.attacksOnSelf.reason ?? 'attack scenarios cannot target this server',
      },
    ]);
  }

  const errors: string[] = [];
  let configs: RunConfig[];
  if (suite !== undefined) {
    configs = await suiteConfigs(
      suite,
      { target: decision.url, durationMs: durationMs ?? SUITES[suite].durationMs },
      errors,
    );
  } else {
    const config = await buildRunConfig(
      {
        scenario,
        profile: input.profile,
        vus: input.vus?.toString(),
        rate: input.rate?.toString(),
        target: decision.url,
        duration: formatDuration(durationMs ?? defaultDurationMs(input.profile)),
        threshold: input.thresholds,
        label: input.name,
      },
      errors,
    );
    configs = config ? [config] : [];
  }
  if (errors.length > 0 || configs.length === 0)
    throw invalid(errors.length ? errors.map(asProblem) : [{ field: 'body', message: 'nothing to run' }]);

  for (const config of configs) {
    const plan = config.plan;
    // The open model's VU cap defaults to the rate (at least 100): bound it like the closed model's VUs.
    plan.maxVus = Math.min(plan.maxVus, LOADTEST_LIMITS.maxVus);
    plan.preAllocatedVus = Math.min(plan.preAllocatedVus, plan.maxVus);
    const peak = maxValue(plan.start, plan.stages);
    // Seeded accounts (each a signup with a password hash): the CLI seeds one per VU of the open model's cap; a
    // rate needs about one per iteration a second, and the server is better off not hashing 50 passwords for 2/s.
    plan.users = Math.min(plan.users, 50, plan.model === 'open' ? Math.max(2, Math.ceil(peak)) : 50);
    config.threaded = context.threaded;
    config.workers = 1;
    if (decision.self && context.metricsToken) config.metricsToken = context.metricsToken;
    else delete config.metricsToken;
    if (plan.model === 'closed' && peak > LOADTEST_LIMITS.maxVus)
      problem('vus', `this run would reach ${peak} VUs; at most ${LOADTEST_LIMITS.maxVus}`);
    if (plan.model === 'open' && peak > LOADTEST_LIMITS.maxRate)
      problem('rate', `this run would reach ${peak} iterations/s; at most ${LOADTEST_LIMITS.maxRate}`);
  }
  const totalMs = configs.reduce((sum, c) => sum + totalDuration(c.plan.stages), 0);
  if (totalMs > LOADTEST_LIMITS.maxDurationMs)
    problem(
      'duration',
      `this run would last ${formatDuration(totalMs)}; at most ${formatDuration(LOADTEST_LIMITS.maxDurationMs)}`,
    );
  if (problems.length > 0) throw invalid(problems);

  const params: Record<string, unknown> = Object.fromEntries(
    Object.entries({
      scenario,
      suite,
      profile: input.profile,
      vus: input.vus,
      rate: input.rate,
      durationMs: totalMs,
      thresholds: input.thresholds,
    }).filter(([, v]) => v !== undefined),
  );
  return {
    kind: suite === undefined ? 'scenario' : 'suite',
    preset: suite !== undefined ? `suite/${suite}` : input.profile ? `${scenario}/${input.profile}` : scenario!,
    name: input.name ?? null,
    target: decision.url,
    self: decision.self,
    params,
    configs,
    totalMs,
  };
}
