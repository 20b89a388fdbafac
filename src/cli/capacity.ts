import type { Command } from 'commander';
import { capacity } from '../loadtest/capacity.js';
import { readReport } from './loadtest-shared.js';

interface CapacityOptions {
  dau: string;
  requestsPerSession: string;
  peak: string;
  sessionsPerUser?: string;
  utilisation?: string;
  from?: string;
  json?: boolean;
}

function positive(name: string, text: string | undefined, fallback: number | undefined, errors: string[]): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const n = Number(text);
  if (text === undefined || !Number.isFinite(n) || n <= 0)
    errors.push(`--${name} "${text ?? ''}" must be a positive number`);
  return n;
}

export function registerCapacity(program: Command): void {
  program
    .command('capacity')
    .description(
      'turn traffic assumptions into average and peak req/s; with a breakpoint report, headroom and instance count',
    )
    .requiredOption('--dau <N>', 'daily active users')
    .requiredOption('--requests-per-session <N>', 'requests each session makes')
    .requiredOption('--peak <X>', 'peak traffic as a multiple of the daily average (e.g. 3)')
    .option('--sessions-per-user <N>', 'sessions per user per day (default 1)')
    .option('--utilisation <F>', 'share of the sustainable rate to plan for, 0–1 (default 0.7)')
    .option('--from <REPORT>', 'a loadtest JSON report (ideally --profile breakpoint)')
    .option('--json', 'print JSON')
    .action((opts: CapacityOptions) => {
      const errors: string[] = [];
      const input = {
        dau: positive('dau', opts.dau, undefined, errors),
        requestsPerSession: positive('requests-per-session', opts.requestsPerSession, undefined, errors),
        peak: positive('peak', opts.peak, undefined, errors),
        sessionsPerUser: positive('sessions-per-user', opts.sessionsPerUser, 1, errors),
        targetUtilisation: positive('utilisation', opts.utilisation, 0.7, errors),
      };
      if (input.targetUtilisation > 1) errors.push('--utilisation must be at most 1');
      const report = opts.from === undefined ? undefined : readReport(opts.from, errors);
      if (errors.length) {
        for (const e of errors) process.stderr.write(`tessera capacity: ${e}\n`);
        process.exit(2);
      }
      const result = capacity(input, report);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [
        `average ${result.averageRps} req/s, peak ${result.peakRps} req/s (${input.dau} users × ${input.sessionsPerUser} session(s) × ${input.requestsPerSession} requests, peak ×${input.peak})`,
      ];
      if (result.sustainableRps !== undefined) {
        lines.push(`one instance sustains ${result.sustainableRps} req/s: headroom ×${result.headroom} at peak`);
        lines.push(
          `instances needed at ${Math.round(input.targetUtilisation * 100)}% utilisation: ${result.instances}`,
        );
      }
      if (result.note) lines.push(`note: ${result.note}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
