import { figuresColumns, figuresRow } from '../report.js';
import { benchKeyPrefix, createBenchDatabase, deleteRedisPrefix, redisReachable } from '../services.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import type { Suite } from './types.js';
import { measureVariants, ratio, withAgainstBuild, type Variant } from './variants.js';

/**
 * Validation served by each tier: L1 (default), L2 (Redis, with L1 disabled by SESSION_L1_MAX=0), and the
 * database with neither cache (SQLite embedded; PostgreSQL in a private database when DATABASE_URL is set).
 */
export const tiersSuite: Suite = {
  name: 'tiers',
  description: 'validation from L1, from L2 (Redis, L1 off) and from the database (SQLite, PostgreSQL; no cache)',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const skipped: string[] = [];
    const variants: Variant[] = [
      { name: 'L1 (in-process)', spec: { kind: 'tessera', env: {} } },
      { name: 'DB: SQLite (no cache)', spec: { kind: 'tessera', env: { SESSION_L1_MAX: '0' } } },
    ];
    const prefix = benchKeyPrefix('tiers');
    const redis = await redisReachable(settings.redisUrl);
    if (redis)
      variants.push({
        name: 'L2: Redis (L1 off)',
        spec: {
          kind: 'tessera',
          env: { SESSION_L1_MAX: '0', REDIS_URL: settings.redisUrl!, REDIS_KEY_PREFIX: prefix },
        },
      });
    else
      skipped.push(
        `L2 (Redis): ${settings.redisUrl ? `Redis at ${settings.redisUrl} not reachable` : 'REDIS_URL not set'}`,
      );
    let database: Awaited<ReturnType<typeof createBenchDatabase>> | undefined;
    if (settings.databaseUrl) {
      database = await createBenchDatabase(settings.databaseUrl);
      if ('url' in database) {
        const url = database.url;
        variants.push({
          name: 'DB: PostgreSQL (no cache)',
          spec: { kind: 'tessera', env: { SESSION_L1_MAX: '0', DATABASE_URL: url } },
        });
        // What one indexed PostgreSQL query per validation costs on bare node:http: the bound of the PostgreSQL row.
        variants.push({
          name: 'peer: sha256 + one PostgreSQL join',
          spec: (first) => ({ kind: 'lucia-style', response: first.info.captured!, databaseUrl: url }),
        });
      } else skipped.push(`DB (PostgreSQL): could not create a private database: ${database.error}`);
    } else skipped.push('DB (PostgreSQL): DATABASE_URL not set');
    const againstDatabase =
      settings.against && database && 'url' in database ? await createBenchDatabase(settings.databaseUrl!) : undefined;
    const ownEnv = (env: Record<string, string>): Record<string, string> => ({
      ...env,
      ...(env.DATABASE_URL && againstDatabase && 'url' in againstDatabase ? { DATABASE_URL: againstDatabase.url } : {}),
      ...(env.REDIS_KEY_PREFIX ? { REDIS_KEY_PREFIX: `${env.REDIS_KEY_PREFIX}against:` } : {}),
    });
    try {
      const { figures } = await measureVariants(withAgainstBuild(variants, settings, ownEnv), settings);
      return {
        suite: 'tiers',
        title: 'Cache tiers: where the validation is served from',
        columns: figuresColumns('÷ L1'),
        rows: figures.map((f) => figuresRow(f, figures[0])),
        summary: { targets: figures },
        notes: [
          ...againstNotes(figures, settings),
          'L2 and DB rows disable L1 (SESSION_L1_MAX=0) so every request reaches that tier; in production an L2 or DB hit fills L1.',
          'The DB rows use no Redis; the L2 row keeps the SQLite store behind Redis.',
          settings.sessions > 1
            ? `Every target cycles through ${settings.sessions} distinct sessions (--sessions), so request de-duplication cannot serve them from one lookup.`
            : 'One session (--sessions 1): concurrent requests share one lookup (request de-duplication), flattering the L2 and DB rows.',
        ],
        skipped,
      };
    } finally {
      if (redis) await deleteRedisPrefix(settings.redisUrl!, prefix).catch(() => {});
      if (database && 'drop' in database) await database.drop().catch(() => {});
      if (againstDatabase && 'drop' in againstDatabase) await againstDatabase.drop().catch(() => {});
    }
  },
};

/** Each tier of this build ÷ the same tier of the --against build, in req/s and in CPU per request. */
function againstNotes(
  figures: Array<{ name: string; reqPerSec: number; cpuMicrosPerRequest?: number | null }>,
  settings: BenchSettings,
): string[] {
  const against = settings.against;
  if (!against) return [];
  const byName = new Map(figures.map((f) => [f.name, f]));
  return figures
    .filter((f) => byName.has(`${f.name} @ ${against.label}`))
    .map((f) => {
      const other = byName.get(`${f.name} @ ${against.label}`)!;
      const cpu =
        f.cpuMicrosPerRequest && other.cpuMicrosPerRequest
          ? ratio(other.cpuMicrosPerRequest, f.cpuMicrosPerRequest)
          : null;
      return `${f.name}: this build ÷ ${against.label} = ${ratio(f.reqPerSec, other.reqPerSec)} req/s, ${cpu} by CPU per request`;
    });
}
