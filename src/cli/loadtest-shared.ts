import { readFileSync } from 'node:fs';
import { type Command, type CommanderError } from 'commander';
import type { Report } from '../loadtest/report/types.js';

export const EXIT_THRESHOLDS_FAILED = 99;
export const EXIT_INVALID_CONFIG = 104;

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Bad flags on loadtest commands exit 104 (as k6), not commander's 2. */
export function k6ExitCodes(command: Command): Command {
  return command.exitOverride((error: CommanderError) => {
    if (error.exitCode !== 0)
      (error as CommanderError & { tesseraExitCode?: number }).tesseraExitCode = EXIT_INVALID_CONFIG;
    throw error;
  });
}

/** Prints every configuration problem on its own line and exits 104. */
export function failConfig(errors: string[]): never {
  for (const e of errors) process.stderr.write(`tessera loadtest: ${e}\n`);
  process.exit(EXIT_INVALID_CONFIG);
}

export function readReport(path: string, errors: string[]): Report | undefined {
  try {
    const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
    if (!report || typeof report !== 'object' || !report.metrics || !report.histograms) {
      errors.push(`${path}: not a tessera loadtest JSON report`);
      return undefined;
    }
    return report;
  } catch (error) {
    errors.push(
      `${path}: cannot be read as JSON (${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]})`,
    );
    return undefined;
  }
}
