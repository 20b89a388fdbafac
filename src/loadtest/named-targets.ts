import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** The file named targets are read from, in the working directory. */
export const TARGETS_FILE = 'tessera.loadtest.yaml';

/**
 * `--target staging` when `staging` is not a URL: the URL under `targets:` in ./tessera.loadtest.yaml
 * (`targets: { local: http://127.0.0.1:3000, staging: https://staging.example.com }`).
 */
export function resolveNamedTarget(name: string, errors: string[], dir = process.cwd()): string | undefined {
  const path = resolve(dir, TARGETS_FILE);
  if (!existsSync(path)) {
    errors.push(`--target "${name}" is neither a URL nor a named target (no ${TARGETS_FILE} here)`);
    return undefined;
  }
  let targets: unknown;
  try {
    targets = (parseYaml(readFileSync(path, 'utf8')) as { targets?: unknown } | null)?.targets;
  } catch (error) {
    errors.push(`${TARGETS_FILE}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
  const known =
    targets && typeof targets === 'object' && !Array.isArray(targets) ? (targets as Record<string, unknown>) : {};
  const url = known[name];
  if (typeof url !== 'string') {
    errors.push(
      `--target "${name}" is neither a URL nor a target of ${TARGETS_FILE} (known: ${Object.keys(known).join(', ') || 'none'})`,
    );
    return undefined;
  }
  return url;
}
