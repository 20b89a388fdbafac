import { timingSafeEqual } from 'node:crypto';
import { hitRates, mergeAggregates } from '../../observability/aggregate.js';
import { adviseCache, type CacheAdviceInput } from '../../observability/cache-advice.js';
import type { RouteGroup } from '../route-group.js';

const RECENT_MS = 5 * 60_000;

/**
 * GET /v1/admin/cache/advice: tuning advice from the running figures (hit rates over the last 5 minutes, L1 size and
 * evictions, Redis memory and policy, hot keys, the last warming pass). For an admin, or for `Bearer METRICS_TOKEN`
 * when one is set (monitoring reads it without an admin session; no key or user is in the answer).
 */
export const adminCacheAdviceRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  const obs = deps.observability;
  const cacheAdmin = deps.cacheAdmin;
  if (!obs || !cacheAdmin) return;
  const { config } = deps;
  const metricsAuth = config.metricsToken ? Buffer.from(`Bearer ${config.metricsToken}`) : undefined;

  app.addHook('preHandler', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (metricsAuth && given.length === metricsAuth.length && timingSafeEqual(given, metricsAuth)) return;
    await requireAdmin(request, reply);
  });

  app.get(
    '/v1/admin/cache/advice',
    {
      schema: {
        tags: ['observability'],
        summary: 'Cache tuning advice from live figures: what to change, and why, with the numbers',
      },
    },
    async () => {
      const stats = await cacheAdmin.stats();
      const recent = obs.history
        ? mergeAggregates([...(await obs.history.minutes(RECENT_MS)), await obs.history.live()])
        : undefined;
      const rates = recent ? hitRates(recent.cache) : { l1: null, l2: null, overall: null };
      const lookups = (tier: 'l1' | 'l2') => {
        const c = recent?.cache[tier];
        return c ? c.hit + c.miss + c.negative : 0;
      };
      const warming = cacheAdmin.warming?.();
      const last = warming?.last as CacheAdviceInput['warming']['last'];
      const input: CacheAdviceInput = {
        recent: {
          l1: rates.l1,
          l2: rates.l2,
          overall: rates.overall,
          l1Lookups: lookups('l1'),
          l2Lookups: lookups('l2'),
        },
        l1: { size: stats.l1.size, max: stats.l1.max, evictions: stats.l1.evictions, ttlMs: config.sessionL1Ttl },
        l2: stats.l2 && {
          ttlMs: config.sessionL2Ttl,
          hotKeyReads: stats.l2.hotKeys.map((h) => h.count),
          reads: stats.l2.hits + stats.l2.misses,
          memory: stats.l2.memory,
        },
        adaptiveTtl: config.sessionTtlAdaptive,
        rssBudgetBytes: config.rssBudgetBytes,
        warming: {
          enabled: config.warmEnabled,
          activeSessions: (await deps.store.sessions.countByState(Date.now())).active,
          last: last && { warmed: last.warmed, tiers: last.tiers },
          windowMs: config.warmWindow,
        },
      };
      return { advice: adviseCache(input), inputs: input };
    },
  );
};
