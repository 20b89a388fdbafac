import type { Command } from 'commander';
import type { Report } from '../loadtest/report/types.js';
import { collect, failConfig, k6ExitCodes, readReport } from './loadtest-shared.js';

export function registerLoadtestMerge(parent: Command): void {
  const command = parent
    .command('merge')
    .description('merge JSON reports of runs made at the same time (e.g. several machines); histograms merge exactly')
    .argument('<REPORTS...>', 'JSON reports')
    .option('--out <KIND=FILE>', 'json=F, csv=F or html=F (repeatable)', collect)
    .option('--quiet', 'no summary on stdout')
    .action(async (files: string[], opts: { out?: string[]; quiet?: boolean }) => {
      const { mergeReports } = await import('../loadtest/report/merge.js');
      const { formatSummary } = await import('../loadtest/report/summary.js');
      const { parseOut, writeReport } = await import('../loadtest/report/write.js');
      const errors: string[] = [];
      const outs = (opts.out ?? []).map((s) => parseOut(s, errors)).filter((o) => o !== undefined);
      if (files.length < 2) errors.push('merge needs at least two reports');
      const reports = files.map((f) => readReport(f, errors)).filter((r): r is Report => r !== undefined);
      const merged = errors.length ? undefined : mergeReports(reports, errors);
      if (!merged) failConfig(errors);
      if (!opts.quiet) process.stdout.write(`${formatSummary(merged)}\n`);
      for (const out of outs) writeReport(merged, out);
    });
  k6ExitCodes(command);
}
