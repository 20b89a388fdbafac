import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../config/load.js';
import { parseRules } from './rules.js';
import type { AlertRule } from './types.js';

export interface RuleFile {
  rules: AlertRule[];
  /** False when the file says `builtins: false`: only its own rules apply. */
  builtins: boolean;
}

/**
 * Reads TESSERA_ALERT_RULES: YAML or JSON (by extension, or by content), either a list of rules or
 * `{ builtins?: boolean, rules: [...] }`. Throws one readable error naming the file and every bad field.
 */
export async function loadRuleFile(path: string): Promise<RuleFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw invalid(`TESSERA_ALERT_RULES: cannot read ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw invalid(
      `TESSERA_ALERT_RULES: ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const body = Array.isArray(doc) ? { rules: doc } : (doc as Record<string, unknown> | null);
  if (!body || typeof body !== 'object' || !('rules' in body))
    throw invalid(`TESSERA_ALERT_RULES: ${path} must hold a list of rules or {rules: [...]}`);
  const parsed = parseRules(body.rules);
  if ('problems' in parsed) {
    throw invalid(`TESSERA_ALERT_RULES: ${path}: ${parsed.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
  return { rules: parsed.rules, builtins: body.builtins !== false };
}

/** A bad rule file is invalid configuration: one line naming the variable, exit code 2 from the CLI. */
const invalid = (line: string): ConfigError => new ConfigError([line]);
