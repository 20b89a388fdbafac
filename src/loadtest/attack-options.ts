import type { AttackPlan } from './types.js';

export const ATTACK_SCENARIOS = new Set(['bruteforce', 'bot']);
/** The seeds' attack tests run 2 minutes. */
export const ATTACK_DEFAULT_DURATION_MS = 120_000;
const DEFAULT_LEGIT = 10;
const DEFAULT_TARGETS = 25;

interface AttackFlags {
  attackers?: string;
  attackRate?: string;
  bots?: string;
  botRate?: string;
  legitVus?: string;
}

/** `10`, `10/s`, `600/min` (or `/m`): requests per second. */
export function parseRate(text: string, defaultUnit: 's' | 'min'): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? defaultUnit).toLowerCase().startsWith('m') ? 60 : 1;
  const perSec = Number(m[1]) / unit;
  return perSec > 0 && perSec <= 10_000 ? perSec : undefined;
}

function count(flag: string, text: string | undefined, fallback: number, min: number, errors: string[]): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || n < min || n > 10_000) {
    errors.push(`${flag} "${text}" must be a whole number from ${min} to 10000`);
    return fallback;
  }
  return n;
}

/**
 * The attacking population of `bruteforce` (--attackers, --attack-rate R/s; default 50 at 10/s) or `bot` (--bots,
 * --bot-rate R/min; default 100 at 50/min), with --legit-vus legitimate users beside them (default 10). The VU
 * count is theirs: --vus stands for the clients, a --profile gives only its duration, --rate and --stage do not apply.
 */
export function buildAttackPlan(
  scenario: string,
  raw: AttackFlags,
  shape: { vus?: number; rate?: number; profile?: string; stages: number },
  errors: string[],
): AttackPlan | undefined {
  const bruteforce = scenario === 'bruteforce';
  const [clientsFlag, rateFlag] = bruteforce ? ['--attackers', '--attack-rate'] : ['--bots', '--bot-rate'];
  const wrong = bruteforce
    ? [raw.bots && '--bots', raw.botRate && '--bot-rate']
    : [raw.attackers && '--attackers', raw.attackRate && '--attack-rate'];
  for (const flag of wrong.filter(Boolean))
    errors.push(`${flag} does not apply to --scenario ${scenario} (use ${clientsFlag} and ${rateFlag})`);
  if (shape.rate !== undefined || shape.stages > 0)
    errors.push(
      `--scenario ${scenario} sets its own load: use ${clientsFlag}, ${rateFlag}, --legit-vus and --duration (not --rate or --stage)`,
    );
  // --vus (as suites and presets give it) is the number of attacking clients when the scenario's own flag is absent.
  const clientsText = (bruteforce ? raw.attackers : raw.bots) ?? shape.vus?.toString();
  const clients = count(clientsFlag, clientsText, bruteforce ? 50 : 100, 1, errors);
  const rateText = bruteforce ? raw.attackRate : raw.botRate;
  let perSec = bruteforce ? 10 : 50 / 60;
  if (rateText !== undefined) {
    const parsed = parseRate(rateText, bruteforce ? 's' : 'min');
    if (parsed === undefined)
      errors.push(`${rateFlag} "${rateText}" is not a rate like ${bruteforce ? '10/s' : '50/min'}`);
    else perSec = parsed;
  }
  const legit = count('--legit-vus', raw.legitVus, DEFAULT_LEGIT, 0, errors);
  return { clients, perSec, legit, targets: DEFAULT_TARGETS, nonce: Math.floor(Math.random() * 256) };
}
