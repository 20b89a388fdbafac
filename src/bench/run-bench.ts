import { describeMachine } from './machine.js';
import { formatSuite } from './report.js';
import { SUITES } from './suites/index.js';
import type { BenchSettings, SuiteResult } from './types.js';

export interface BenchReport {
  tessera: string;
  startedAt: string;
  durationMs: number;
  machine: ReturnType<typeof describeMachine> & { loadAverageAfter: number[] };
  settings: Omit<BenchSettings, 'log' | 'redisUrl' | 'databaseUrl'> & { redis: boolean; postgres: boolean };
  suites: Record<string, SuiteResult>;
  /** Suites that could not run at all, with why. */
  failed: Record<string, string>;
}

/** Runs the named suites one after another, printing each table as it completes. */
export async function runBench(
  names: string[],
  settings: BenchSettings,
  print: (text: string) => void,
): Promise<BenchReport> {
  const started = Date.now();
  const machine = describeMachine();
  const report: BenchReport = {
    tessera: '0.1.0',
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    machine: { ...machine, loadAverageAfter: [] },
    settings: {
      rounds: settings.rounds,
      durationSec: settings.durationSec,
      connections: settings.connections,
      sessions: settings.sessions,
      generator: settings.generator,
      pinning: settings.pinning,
      profileDir: settings.profileDir,
      redis: Boolean(settings.redisUrl),
      postgres: Boolean(settings.databaseUrl),
    },
    suites: {},
    failed: {},
  };
  print(
    `tessera bench: ${names.join(', ')} — ${machine.cpus} × ${machine.cpuModel}, node ${machine.node}, load average ${machine.loadAverage.join(' ')}`,
  );
  print(
    `  ${settings.rounds} interleaved round(s) of ${settings.durationSec}s per target, ${settings.connections} connections, medians of rounds`,
  );
  const pinning = settings.pinning
    ? `servers pinned to CPU ${settings.pinning.serverCpu}, ${settings.generator} to CPU ${settings.pinning.generatorCpu} (taskset)`
    : `nothing pinned (${machine.cpus < 2 ? 'one CPU' : 'taskset missing or --no-pin'})`;
  print(
    `  load generator: ${settings.generator}; ${settings.sessions} distinct session(s) per session target; ${pinning}`,
  );
  for (const suite of SUITES.filter((s) => names.includes(s.name))) {
    settings.log(`${suite.name}: ${suite.description}`);
    try {
      const result = await suite.run(settings);
      report.suites[suite.name] = result;
      print(`\n${formatSuite(result)}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      report.failed[suite.name] = message;
      print(`\n== ${suite.name}: FAILED — ${message}`);
    }
  }
  report.machine.loadAverageAfter = describeMachine().loadAverage;
  report.durationMs = Date.now() - started;
  return report;
}
