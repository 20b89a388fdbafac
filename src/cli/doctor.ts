import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { addConfigFlags, flagsFrom } from './config-flags.js';
import { errorMessage, fail, ok, skip, warn, type CheckResult } from './doctor/types.js';

const LABEL: Record<CheckResult['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** Every check, in order; a configuration that does not load stops there (nothing else can be trusted). */
export async function runDoctor(
  env: Record<string, string | undefined>,
  flags: Record<string, unknown>,
  instances?: number,
): Promise<CheckResult[]> {
  let config: Config;
  try {
    config = loadConfig(env, flagsFrom(flags));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) =>
      fail(
        'config',
        problem,
        `set ${problem.split(' ')[0]} to a valid value (tessera serve --help lists every setting)`,
      ),
    );
  }
  const [{ checkDataDir }, { checkDatabase }, { checkRedis }] = await Promise.all([
    import('./doctor/data-dir.js'),
    import('./doctor/database.js'),
    import('./doctor/redis.js'),
  ]);
  const results: CheckResult[] = [
    ok(
      'config',
      `valid; ${config.mode} mode (${config.databaseUrl ? 'PostgreSQL' : 'SQLite'}${config.hasRedis ? ' + Redis' : ', in-process cache'})`,
    ),
  ];
  if (!config.databaseUrl) results.push(checkDataDir(config));
  const shared = instances ?? config.workers;
  results.push(
    ...(await checkDatabase(config, { instances: shared }).catch((error: unknown) => [
      fail('database', errorMessage(error), 'check DATABASE_URL / TESSERA_DATA_DIR'),
    ])),
  );
  if (config.hasRedis) results.push(...(await checkRedis(config)));
  else if (config.databaseUrl && instances !== undefined && instances > 1) {
    // Workers of one `serve --workers` share invalidations over IPC; separate servers need Redis for that.
    results.push(
      warn(
        'redis',
        `not configured while ${instances} instances share the database: on separate servers a revocation stays cached on the others for up to SESSION_L1_TTL`,
        'set REDIS_URL so instances share the L2 cache and the invalidation bus',
      ),
    );
  } else results.push(skip('redis', 'not configured (the cache stays in-process)'));
  return results;
}

export function registerDoctor(program: Command): void {
  addConfigFlags(
    program
      .command('doctor')
      .description(
        'Check the configuration and every dependency (database, migrations, indexes, connection budget, Redis) and say what to fix.',
      )
      .option(
        '--instances <n>',
        'Tessera instances that will share the database (default: TESSERA_WORKERS)',
        positiveInt,
      )
      .option('--tune', 'ask a running server (--url) for cache tuning advice from its live figures')
      .option('--url <URL>', 'with --tune: base URL of the running server (default http://127.0.0.1:3000)')
      .option(
        '--token <T>',
        'with --tune: an admin session token or the METRICS_TOKEN (default: $TESSERA_TOKEN, then $METRICS_TOKEN)',
      ),
  ).action(
    async (options: { instances?: number; tune?: boolean; url?: string; token?: string } & Record<string, unknown>) => {
      if (options.tune) {
        const { runTune } = await import('./doctor/tune.js');
        process.exitCode = await runTune(
          options.url ?? 'http://127.0.0.1:3000',
          options.token ?? process.env.TESSERA_TOKEN ?? process.env.METRICS_TOKEN,
        );
        return;
      }
      const results = await runDoctor(process.env, options, options.instances);
      const width = Math.max(...results.map((r) => r.name.length));
      for (const r of results)
        console.log(`${LABEL[r.status]}  ${r.name.padEnd(width)}  ${r.detail}${r.fix ? ` — fix: ${r.fix}` : ''}`);
      const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
      console.log(`\n${count('fail')} failed, ${count('warn')} warning(s), ${count('ok')} ok`);
      process.exitCode = count('fail') > 0 ? 1 : 0;
    },
  );
}
