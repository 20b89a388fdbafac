import type { Command } from 'commander';
import { SUITES } from '../loadtest/suite-table.js';
import { collect, k6ExitCodes } from './loadtest-shared.js';
import type { SuiteOptions } from './loadtest-suite-action.js';

async function action(name: string, opts: SuiteOptions): Promise<void> {
  const { suiteAction } = await import('./loadtest-suite-action.js');
  await suiteAction(name, opts);
}

export function registerLoadtestSuite(parent: Command): void {
  const command = parent
    .command('suite')
    .description(
      `run several tests in order into one report: ${Object.entries(SUITES)
        .map(([n, s]) => `${n} (${s.description})`)
        .join('; ')}`,
    )
    .argument('<NAME>', Object.keys(SUITES).join(' | '))
    .option('--target <URL>', 'base URL (default http://127.0.0.1:3000)')
    .option('--duration <D>', 'total suite length, shared between its tests')
    .option('--workers <N>', 'load-generating threads')
    .option('--out <KIND=FILE>', 'json=F, csv=F or html=F (repeatable)', collect)
    .option('--self', 'start an embedded Tessera in its own process for the suite')
    .option('--self-env <NAME=VALUE>', 'environment for the --self server (repeatable)', collect)
    .option('--metrics-token <T>', "the target's METRICS_TOKEN, to scrape its /metrics (default: $METRICS_TOKEN)")
    .option('--no-progress', 'no live progress')
    .option('--quiet', 'no summaries on stdout')
    .action(action);
  k6ExitCodes(command);
}
