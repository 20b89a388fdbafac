import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.js';
import { addConfigFlags, configOrExit } from './config-flags.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function seconds(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : parseDuration(value); // a bare number is seconds
  if (ms === undefined || ms < 1000 || ms % 1000 !== 0)
    throw new InvalidArgumentError('expected whole seconds such as 3s or 1m');
  return ms / 1000;
}

/** `--against DIR`: another build's dist/ (or a checkout holding one), labelled by its folder. */
function againstBuild(dir: string): { distDir: string; label: string } {
  const distDir = existsSync(path.join(dir, 'bench/target-process.js')) ? dir : path.join(dir, 'dist');
  if (!existsSync(path.join(distDir, 'bench/target-process.js')))
    usage(`--against ${dir}: no Tessera build there (expected ${path.join(distDir, 'bench/target-process.js')})`);
  return { distDir: path.resolve(distDir), label: path.basename(path.resolve(dir)) };
}

function generatorName(value: string): 'auto' | 'wrk' | 'autocannon' {
  if (value !== 'auto' && value !== 'wrk' && value !== 'autocannon')
    throw new InvalidArgumentError('expected auto, wrk or autocannon');
  return value;
}

function usage(message: string): never {
  console.error(`tessera bench: ${message}`);
  process.exit(2);
}

export function registerBench(program: Command): void {
  addConfigFlags(
    program
      .command('bench')
      .description(
        'Measure Tessera side by side: hot path vs bare node:http, layer costs, cache tiers, Redis ops, memory per session, peers, login vs raw argon2 verify, the cost of each protection feature, application clients.',
      )
      .option(
        '--suite <name>',
        `hot-path | layers | tiers | redis | memory | peers | login | security | client | warm | all (all but warm)`,
        'hot-path',
      )
      .option('--out <format=file>', 'save the results: json=FILE (repeatable)', collect, [])
      .option('--duration <d>', 'length of one measurement: whole seconds, such as 3s, 1m or 3', seconds, 3)
      .option('--rounds <n>', 'interleaved rounds per target (the median is reported)', positiveInt('--rounds'), 5)
      .option('--connections <n>', 'concurrent connections of the load generator', positiveInt('--connections'), 32)
      .option(
        '--sessions <n>',
        'distinct sessions each session-validating target is loaded with (requests cycle through them); warm suite: active sessions replayed',
        positiveInt('--sessions'),
        10_000,
      )
      .option(
        '--generator <name>',
        'load generator: auto (wrk when installed) | wrk | autocannon',
        generatorName,
        'auto',
      )
      .option('--no-pin', 'do not pin servers and the load generator to separate CPUs (taskset)')
      .option('--profile <dir>', 'write V8 CPU profiles of the server processes (node --cpu-prof) into this directory')
      .option(
        '--target-env <KEY=VALUE>',
        'environment for every Tessera target, e.g. NODE_ENV=production (repeatable)',
        collect,
        [],
      )
      .option(
        '--against <dir>',
        "another Tessera build's dist/ directory: measured beside this one, interleaved, in the hot-path and tiers suites",
      )
      .option('--rate <n>', 'warm suite: validations per second (default 1000)', positiveInt('--rate'))
      .option('--window <d>', 'warm suite: measured window after each cold start (default 60s)', seconds),
    ['redisUrl', 'databaseUrl'],
  ).action(
    async (
      options: {
        suite: string;
        out: string[];
        duration: number;
        rounds: number;
        connections: number;
        sessions: number;
        generator: 'auto' | 'wrk' | 'autocannon';
        pin: boolean;
        profile?: string;
        against?: string;
        targetEnv: string[];
        rate?: number;
        window?: number;
      } & Record<string, unknown>,
    ) => {
      const [{ runBench }, { suiteNames, allSuiteNames }, { pickGenerator, pickPinning, installed }] =
        await Promise.all([
          import('../bench/run-bench.js'),
          import('../bench/suites/index.js'),
          import('../bench/tools.js'),
        ]);
      if (options.generator === 'wrk' && !installed('wrk')) usage('--generator wrk: wrk is not installed');
      const known = suiteNames();
      if (options.suite !== 'all' && !known.includes(options.suite))
        usage(`unknown suite "${options.suite}" (expected one of: ${[...known, 'all'].join(', ')})`);
      const outputs = options.out.map((spec) => {
        const eq = spec.indexOf('=');
        const format = eq > 0 ? spec.slice(0, eq) : '';
        if (format !== 'json' || eq === spec.length - 1) usage(`--out ${spec}: expected json=FILE`);
        return spec.slice(eq + 1);
      });
      const config = configOrExit(options);
      const report = await runBench(
        options.suite === 'all' ? allSuiteNames() : [options.suite],
        {
          rounds: options.rounds,
          durationSec: options.duration,
          connections: options.connections,
          sessions: options.sessions,
          generator: pickGenerator(options.generator),
          pinning: pickPinning(options.pin),
          profileDir: options.profile,
          against: options.against ? againstBuild(options.against) : undefined,
          targetEnv: Object.fromEntries(
            options.targetEnv.map((pair) => {
              const eq = pair.indexOf('=');
              if (eq < 1) usage(`--target-env ${pair}: expected KEY=VALUE`);
              return [pair.slice(0, eq), pair.slice(eq + 1)];
            }),
          ),
          redisUrl: config.redisUrl,
          databaseUrl: config.databaseUrl,
          warm: { sessions: options.sessions, rate: options.rate, windowSec: options.window },
          log: (line) => console.error(line),
        },
        (text) => console.log(text),
      );
      for (const file of outputs) {
        writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
        console.log(`\nresults saved to ${file}`);
      }
      if (Object.keys(report.failed).length > 0) process.exitCode = 1;
    },
  );
}
