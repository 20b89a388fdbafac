import type { Command } from 'commander';
import { CONFIG_FIELDS, ConfigError, loadConfig, type Config, type ConfigKey } from '../config/index.js';

const camel = (flag: string): string => flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Every configuration variable is also a flag (`SESSION_IDLE_TTL` → `--session-idle-ttl`). */
export function addConfigFlags(command: Command, only?: ConfigKey[]): Command {
  for (const [key, spec] of Object.entries(CONFIG_FIELDS) as [ConfigKey, (typeof CONFIG_FIELDS)[ConfigKey]][]) {
    if (only && !only.includes(key)) continue;
    const fallback = spec.default !== undefined && spec.default !== '' ? ` (default: ${spec.default})` : '';
    command.option(`--${spec.flag} <value>`, `${spec.description} [${spec.env}]${fallback}`);
  }
  return command;
}

export function flagsFrom(options: Record<string, unknown>): Partial<Record<ConfigKey, string>> {
  const flags: Partial<Record<ConfigKey, string>> = {};
  for (const [key, spec] of Object.entries(CONFIG_FIELDS) as [ConfigKey, (typeof CONFIG_FIELDS)[ConfigKey]][]) {
    const value = options[camel(spec.flag)];
    if (typeof value === 'string') flags[key] = value;
  }
  return flags;
}

/** Loads the config or stops the process with one clear line per problem and exit code 2. */
export function configOrExit(options: Record<string, unknown> = {}): Config {
  try {
    return loadConfig(process.env, flagsFrom(options));
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) console.error(`tessera: invalid configuration: ${problem}`);
      process.exit(2);
    }
    throw error;
  }
}
