#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands.js';
import { ConfigError } from '../config/index.js';

const program = new Command('tessera')
  .description('Tessera: sessions and authentication with a tiered cache, protection, observability and a load tester.')
  .version('0.1.0')
  .showHelpAfterError(false)
  .exitOverride();

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit through here too, with code 0.
    if (error.exitCode === 0) process.exit(0);
    process.exit(
      typeof (error as { tesseraExitCode?: number }).tesseraExitCode === 'number'
        ? (error as { tesseraExitCode?: number }).tesseraExitCode
        : 2,
    );
  }
  if (error instanceof ConfigError) {
    // Found while starting (e.g. an unreadable alert rule file): as invalid as a bad variable.
    for (const problem of error.problems) console.error(`tessera: invalid configuration: ${problem}`);
    process.exit(2);
  }
  console.error(`tessera: ${describe(error)}`);
  process.exit(1);
}

/** One line: the message, and what caused it when that says more (e.g. "connect ECONNREFUSED 127.0.0.1:5432"). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as (Error & { code?: string }) | undefined;
  const why = cause instanceof Error ? cause.message || cause.code || cause.name : undefined;
  return (why && !error.message.includes(why) ? `${error.message} (${why})` : error.message).replace(/\s*\n\s*/g, ' ');
}
