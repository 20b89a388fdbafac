import { describe, expect, it } from 'vitest';
import { adviseCache, type CacheAdviceInput } from '../../src/observability/cache-advice.js';

const MiB = 1024 * 1024;

/** A healthy cache: nothing to advise. Each test changes the one condition a rule reads. */
const healthy = (): CacheAdviceInput => ({
  recent: { l1: 0.97, l2: 0.9, overall: 0.995, l1Lookups: 50_000, l2Lookups: 1500 },
  l1: { size: 40_000, max: 100_000, evictions: 0, ttlMs: 15_000 },
  l2: {
    ttlMs: 600_000,
    hotKeyReads: [30, 20],
    reads: 1500,
    memory: { usedBytes: 50 * MiB, maxBytes: 512 * MiB, policy: 'volatile-lru' },
  },
  adaptiveTtl: false,
  rssBudgetBytes: 1024 * MiB,
  warming: {
    enabled: true,
    activeSessions: 10_000,
    last: { warmed: 9_800, tiers: { l2: { entries: 9_800, bytes: 6 * MiB, budgetBytes: 64 * MiB, full: false } } },
    windowMs: 3_600_000,
  },
});

const ids = (input: CacheAdviceInput) => adviseCache(input).map((a) => a.id);
const only = (input: CacheAdviceInput, id: string) => {
  const advice = adviseCache(input);
  expect(advice.map((a) => a.id)).toEqual([id]);
  return advice[0];
};

describe('cache tuning advice', () => {
  it('a healthy cache gets none', () => {
    expect(adviseCache(healthy())).toEqual([]);
  });

  it('L1 full and evicting: double SESSION_L1_MAX when it fits the RSS budget, else adaptive lifetimes', () => {
    const input = healthy();
    input.l1 = { ...input.l1, size: 99_990, evictions: 5_000 };
    const advice = only(input, 'l1-full');
    expect(advice.change).toBe('SESSION_L1_MAX=200000');
    expect(advice.why).toContain('99990 of 100000');
    expect(advice.why).toContain('evicted 5000');
    input.rssBudgetBytes = 600 * MiB;
    expect(only(input, 'l1-full').change).toMatch(/SESSION_TTL_ADAPTIVE=true/);
  });

  it('a full L1 would pass half the RSS budget: a SESSION_L1_MAX that fits', () => {
    const input = healthy();
    input.rssBudgetBytes = 128 * MiB;
    const advice = only(input, 'l1-memory');
    expect(advice.change).toBe(`SESSION_L1_MAX=${Math.floor((64 * MiB) / 1900)} (or SESSION_TTL_ADAPTIVE=true)`);
  });

  it('a low L1 hit rate with room left: longer SESSION_L1_TTL (or, adaptive, a longer maximum)', () => {
    const input = healthy();
    input.recent.l1 = 0.55;
    const advice = only(input, 'l1-hit-rate-low');
    expect(advice.change).toBe('SESSION_L1_TTL=30s or SESSION_TTL_ADAPTIVE=true');
    expect(advice.why).toContain('55.0 % of 50000');
    input.adaptiveTtl = true;
    expect(only(input, 'l1-hit-rate-low').change).toBe('SESSION_L1_TTL_MAX=1m');
    input.recent.l1Lookups = 50; // too few lookups to judge
    expect(ids(input)).toEqual([]);
  });

  it('a low Redis hit rate: a longer SESSION_L2_TTL, and warming when it is off', () => {
    const input = healthy();
    input.recent.l2 = 0.3;
    expect(only(input, 'l2-hit-rate-low').change).toBe('SESSION_L2_TTL=20m');
    input.warming.enabled = false;
    expect(ids(input)).toEqual(['l2-hit-rate-low', 'warming-off']);
    expect(adviseCache(input)[0].change).toBe('SESSION_L2_TTL=20m, WARM_ENABLED=true');
  });

  it('Redis without maxmemory, with a refusing policy, or nearly full', () => {
    const input = healthy();
    input.l2!.memory = { usedBytes: 100 * MiB, maxBytes: 0, policy: 'noeviction' };
    expect(only(input, 'redis-maxmemory-unset').change).toBe(
      `Redis: CONFIG SET maxmemory ${200 * MiB} and maxmemory-policy volatile-lru`,
    );
    input.l2!.memory = { usedBytes: 100 * MiB, maxBytes: 512 * MiB, policy: 'noeviction' };
    expect(only(input, 'redis-policy').why).toContain('noeviction');
    input.l2!.memory = { usedBytes: 500 * MiB, maxBytes: 512 * MiB, policy: 'allkeys-lru' };
    const full = only(input, 'redis-memory-high');
    expect(full.change).toBe('Redis maxmemory 768mb, or SESSION_L2_TTL=5m');
    expect(full.why).toContain('97.7 %');
  });

  it('one key taking a large share of Redis reads: adaptive lifetimes', () => {
    const input = healthy();
    input.l2!.hotKeyReads = [300, 20];
    const advice = only(input, 'hot-keys');
    expect(advice.change).toBe('SESSION_TTL_ADAPTIVE=true');
    expect(advice.why).toContain('300 of 1500');
  });

  it('warming: its budget spent with sessions left cold, or a low coverage with budget to spare', () => {
    const input = healthy();
    input.warming.last = {
      warmed: 4_000,
      tiers: { l2: { entries: 4_000, bytes: 4 * MiB, budgetBytes: 4 * MiB, full: true } },
    };
    const advice = only(input, 'warming-budget');
    expect(advice.change).toBe(`WARM_BUDGET_BYTES=${Math.ceil((4 * MiB + 6_000 * 1048.576) * 1.2)}`);
    expect(advice.why).toContain('6000 were left cold');
    input.warming.last = {
      warmed: 5_000,
      tiers: { l2: { entries: 5_000, bytes: 3 * MiB, budgetBytes: 64 * MiB, full: false } },
    };
    const coverage = only(input, 'warming-coverage');
    expect(coverage.change).toBe('WARM_WINDOW=2h');
    expect(coverage.why).toContain('5000 of 10000');
  });
});
