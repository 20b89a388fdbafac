import { Type } from '@sinclair/typebox';
import { hitRates, mergeAggregates } from '../../observability/aggregate.js';
import { TesseraError } from '../../errors/registry.js';
import type { CacheAdmin } from '../../observability/index.js';
import type { RouteGroup } from '../route-group.js';

/** IDs per request: a thousand UUIDs stay well inside the body limit (`tessera cache warm` sends larger files in chunks). */
export const MAX_IDS = 1000;
const Ids = Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]+$' }), {
  maxItems: MAX_IDS,
});
const WarmBody = Type.Object(
  {
    sessionIds: Type.Optional(Ids),
    userIds: Type.Optional(Ids),
  },
  { additionalProperties: false, description: 'Omit the body (or both lists) for a pass over every strategy.' },
);

/** /v1/admin/cache: per-tier stats (with hit rates over the last 5 minutes), warm now, flush everywhere. */
export const adminCacheRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  const obs = deps.observability;
  if (!obs) return;
  const configured = deps.cacheAdmin;
  app.addHook('preHandler', requireAdmin);
  const cache = (): CacheAdmin => {
    if (!configured) throw new TesseraError('not_found', 'No cache is configured.');
    return configured;
  };

  const tags = ['observability'];
  app.get(
    '/v1/admin/cache',
    {
      schema: {
        tags,
        summary:
          'Per-tier cache stats, hot keys (with the Redis node each lives on), Redis memory and eviction policy, and per-node Redis figures with Cluster slot coverage',
      },
    },
    async () => {
      const stats = await cache().stats();
      const redisInfo = obs.redisInfo;
      // The L2 keeps its entries under `${REDIS_KEY_PREFIX}c:` (cache/stack.ts).
      const l2Prefix = `${obs.options.settings.redisKeyPrefix}c:`;
      const nodeOf = (key: string): string | null => redisInfo?.nodeOfKey(l2Prefix + key) ?? null;
      const recent = obs.history
        ? mergeAggregates([...(await obs.history.minutes(5 * 60_000)), await obs.history.live()])
        : undefined;
      const rates = recent ? hitRates(recent.cache) : undefined;
      const lookups = recent?.cache;
      const l1Total = stats.l1.hits + stats.l1.misses;
      return {
        tiers: {
          l1: {
            ...stats.l1,
            hitRate: l1Total === 0 ? null : stats.l1.hits / l1Total,
            recentHitRate: rates?.l1 ?? null,
            recentLookups: lookups?.l1 ?? null,
          },
          l2: stats.l2
            ? {
                ...stats.l2,
                hotKeys: stats.l2.hotKeys.map((hot) => ({ ...hot, node: nodeOf(hot.key) })),
                hitRate:
                  stats.l2.hits + stats.l2.misses === 0 ? null : stats.l2.hits / (stats.l2.hits + stats.l2.misses),
                recentHitRate: rates?.l2 ?? null,
                recentLookups: lookups?.l2 ?? null,
              }
            : { available: false },
          db: { recentHitRate: rates?.db ?? null, recentLookups: lookups?.db ?? null },
        },
        overallRecentHitRate: rates?.overall ?? null,
        redis: redisInfo ? (redisInfo.latest() ?? (await redisInfo.poll()) ?? null) : null,
        warming: cache().warming?.() ?? null,
      };
    },
  );

  app.post(
    '/v1/admin/cache/warm',
    {
      schema: {
        tags,
        summary: 'Warm the cache now: every strategy, or the given sessions and the live sessions of the given users',
        body: WarmBody,
      },
      // No body at all means "every strategy": validate it as the empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => ({ warm: await cache().warm(request.body) }),
  );

  app.delete('/v1/admin/cache', { schema: { tags, summary: 'Flush the cache on every instance' } }, async () => ({
    flushed: await cache().flush(),
  }));
};
