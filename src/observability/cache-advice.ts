/**
 * Tuning advice from live cache figures: each rule reads the numbers, and when they call for a change says which
 * setting, to what, and why (with the numbers behind it). Pure: the route gathers the inputs.
 */

/** Heap per cached session (measured by `bench --suite memory`; README, SESSION_L1_MAX). */
export const L1_BYTES_PER_ENTRY = 1900;

export interface CacheAdviceInput {
  /** Hit rates over the last minutes (null when nothing was looked up) and how many lookups they rest on. */
  recent: { l1: number | null; l2: number | null; overall: number | null; l1Lookups: number; l2Lookups: number };
  l1: { size: number; max: number; evictions: number; ttlMs: number };
  /** Undefined in embedded mode. */
  l2?: {
    ttlMs: number;
    /** Reads of the hottest Redis keys, most read first (the keys themselves are not needed, nor shown). */
    hotKeyReads: number[];
    /** Reads counted since start (hits + misses), for the hot keys' share. */
    reads: number;
    memory?: { usedBytes: number; maxBytes: number; policy: string };
  };
  adaptiveTtl: boolean;
  rssBudgetBytes: number;
  warming: {
    enabled: boolean;
    activeSessions: number;
    /** The last pass (undefined before the first). */
    last?: {
      warmed: number;
      tiers: Partial<Record<'l1' | 'l2', { entries: number; bytes: number; budgetBytes: number; full: boolean }>>;
    };
    windowMs: number;
  };
}

export interface CacheAdvice {
  id: string;
  severity: 'info' | 'warn';
  /** What to change (settings with values). */
  change: string;
  /** Why, with the numbers. */
  why: string;
}

const MIN_LOOKUPS = 100;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const secs = (ms: number) =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;

type Rule = (input: CacheAdviceInput) => CacheAdvice | undefined;

const l1Full: Rule = ({ l1, rssBudgetBytes }) => {
  if (l1.max === 0 || l1.size < 0.95 * l1.max || l1.evictions === 0) return undefined;
  const doubled = l1.max * 2;
  const fits = doubled * L1_BYTES_PER_ENTRY <= rssBudgetBytes / 2;
  return {
    id: 'l1-full',
    severity: 'warn',
    change: fits ? `SESSION_L1_MAX=${doubled}` : 'SESSION_TTL_ADAPTIVE=true (cold entries leave sooner)',
    why: `L1 holds ${l1.size} of ${l1.max} entries and has evicted ${l1.evictions}: live sessions are pushed out before their lifetime. ${
      fits
        ? `${doubled} entries take about ${mib(doubled * L1_BYTES_PER_ENTRY)}, within half the RSS budget (${mib(rssBudgetBytes)}).`
        : `Doubling it (about ${mib(doubled * L1_BYTES_PER_ENTRY)}) would pass half the RSS budget (${mib(rssBudgetBytes)}).`
    }`,
  };
};

const l1Memory: Rule = ({ l1, rssBudgetBytes, adaptiveTtl }) => {
  const bytes = l1.max * L1_BYTES_PER_ENTRY;
  if (rssBudgetBytes <= 0 || bytes <= rssBudgetBytes / 2) return undefined;
  const fitting = Math.floor(rssBudgetBytes / 2 / L1_BYTES_PER_ENTRY);
  return {
    id: 'l1-memory',
    severity: 'warn',
    change: `SESSION_L1_MAX=${fitting}${adaptiveTtl ? '' : ' (or SESSION_TTL_ADAPTIVE=true)'}`,
    why: `A full L1 (${l1.max} entries × ~${L1_BYTES_PER_ENTRY} B = ${mib(bytes)}) would take more than half the RSS budget (${mib(rssBudgetBytes)}); it holds ${l1.size} now.`,
  };
};

const l1HitRateLow: Rule = ({ recent, l1, adaptiveTtl }) => {
  if (recent.l1 === null || recent.l1Lookups < MIN_LOOKUPS || recent.l1 >= 0.8 || l1.size >= 0.95 * l1.max)
    return undefined;
  const ttl = Math.min(Math.max(l1.ttlMs * 2, 5_000), 60_000);
  return {
    id: 'l1-hit-rate-low',
    severity: 'warn',
    change: adaptiveTtl
      ? `SESSION_L1_TTL_MAX=${secs(ttl * 2)}`
      : `SESSION_L1_TTL=${secs(ttl)} or SESSION_TTL_ADAPTIVE=true`,
    why: `Only ${pct(recent.l1)} of ${recent.l1Lookups} recent validations were L1 hits while L1 has room (${l1.size} of ${l1.max}): entries expire (SESSION_L1_TTL ${secs(l1.ttlMs)}) before their sessions come back.`,
  };
};

const l2HitRateLow: Rule = ({ recent, l2, warming }) => {
  if (!l2 || recent.l2 === null || recent.l2Lookups < MIN_LOOKUPS || recent.l2 >= 0.5) return undefined;
  return {
    id: 'l2-hit-rate-low',
    severity: 'warn',
    change: `SESSION_L2_TTL=${secs(Math.min(l2.ttlMs * 2, 3_600_000))}${warming.enabled ? '' : ', WARM_ENABLED=true'}`,
    why: `Only ${pct(recent.l2)} of ${recent.l2Lookups} recent Redis lookups were hits: L1 misses mostly reach the database. Entries live ${secs(l2.ttlMs)} in Redis.`,
  };
};

const redisNoLimit: Rule = ({ l2 }) => {
  if (!l2?.memory || l2.memory.maxBytes > 0) return undefined;
  const suggested = Math.max(64 * 1024 * 1024, Math.ceil((l2.memory.usedBytes * 2) / 1024 / 1024) * 1024 * 1024);
  return {
    id: 'redis-maxmemory-unset',
    severity: 'warn',
    change: `Redis: CONFIG SET maxmemory ${suggested} and maxmemory-policy volatile-lru`,
    why: `Redis has no maxmemory (using ${mib(l2.memory.usedBytes)} now): it grows until the host runs out of memory instead of evicting cache entries.`,
  };
};

const redisPolicy: Rule = ({ l2 }) => {
  const policy = l2?.memory?.policy;
  if (!policy || !l2.memory || l2.memory.maxBytes === 0 || /lru|lfu|random|ttl/.test(policy)) return undefined;
  return {
    id: 'redis-policy',
    severity: 'warn',
    change: 'Redis: CONFIG SET maxmemory-policy volatile-lru (every Tessera cache key has a TTL)',
    why: `maxmemory-policy is ${policy}: once Redis reaches ${mib(l2.memory.maxBytes)} it refuses writes instead of evicting, and every cache fill fails.`,
  };
};

const redisMemoryHigh: Rule = ({ l2 }) => {
  const memory = l2?.memory;
  if (!memory || memory.maxBytes === 0 || memory.usedBytes < 0.9 * memory.maxBytes) return undefined;
  return {
    id: 'redis-memory-high',
    severity: 'warn',
    change: `Redis maxmemory ${Math.ceil((memory.maxBytes * 1.5) / 1024 / 1024)}mb, or SESSION_L2_TTL=${secs(Math.max(60_000, Math.round(l2.ttlMs / 2 / 60_000) * 60_000))}`,
    why: `Redis uses ${mib(memory.usedBytes)} of ${mib(memory.maxBytes)} (${pct(memory.usedBytes / memory.maxBytes)}): it is evicting, so warmed and written entries may not last their lifetime.`,
  };
};

const hotKeys: Rule = ({ l2, l1, adaptiveTtl }) => {
  const top = l2?.hotKeyReads[0];
  if (!l2 || top === undefined || l2.reads < MIN_LOOKUPS || top < 0.05 * l2.reads) return undefined;
  return {
    id: 'hot-keys',
    severity: 'info',
    change: adaptiveTtl ? `SESSION_L1_TTL_MAX=${secs(Math.max(l1.ttlMs * 4, 60_000))}` : 'SESSION_TTL_ADAPTIVE=true',
    why: `The hottest Redis key took ${top} of ${l2.reads} Redis reads (${pct(top / l2.reads)}): a few sessions keep leaving L1. Longer lifetimes for hot entries keep them in L1.`,
  };
};

const warmingBudget: Rule = ({ warming }) => {
  const last = warming.last;
  if (!last) return undefined;
  const full = (
    Object.entries(last.tiers) as Array<
      [string, { entries: number; bytes: number; budgetBytes: number; full: boolean }]
    >
  ).filter(([, t]) => t.full);
  if (full.length === 0) return undefined;
  const missing = Math.max(0, warming.activeSessions - last.warmed);
  const changes = full.map(([tier, t]) => {
    const perEntry = t.entries > 0 ? t.bytes / t.entries : 1024;
    const wanted = Math.ceil((t.bytes + missing * perEntry) * 1.2);
    return `${tier === 'l1' ? 'WARM_L1_BUDGET_BYTES' : 'WARM_BUDGET_BYTES'}=${wanted}`;
  });
  return {
    id: 'warming-budget',
    severity: 'warn',
    change: changes.join(', '),
    why: `The last warming pass spent its budget (${full.map(([tier, t]) => `${tier}: ${t.entries} entries, ${mib(t.bytes)} of ${mib(t.budgetBytes)}`).join('; ')}) with ${warming.activeSessions} active sessions: ${missing} were left cold.`,
  };
};

const warmingCoverage: Rule = ({ warming }) => {
  if (!warming.enabled) {
    return warming.activeSessions > 0
      ? {
          id: 'warming-off',
          severity: 'info',
          change: 'WARM_ENABLED=true',
          why: `Warming is off: after a restart or a Redis restart, the ${warming.activeSessions} active sessions are first validated from the database.`,
        }
      : undefined;
  }
  const last = warming.last;
  if (!last || warming.activeSessions === 0) return undefined;
  const coverage = last.warmed / warming.activeSessions;
  if (coverage >= 0.9 || Object.values(last.tiers).some((t) => t.full)) return undefined;
  return {
    id: 'warming-coverage',
    severity: 'info',
    change: `WARM_WINDOW=${secs(Math.min(warming.windowMs * 2, 24 * 3_600_000))}`,
    why: `The last warming pass covered ${last.warmed} of ${warming.activeSessions} active sessions (${pct(coverage)}) with budget to spare: the rest were not seen within WARM_WINDOW (${secs(warming.windowMs)}).`,
  };
};

const RULES: Rule[] = [
  l1Full,
  l1Memory,
  l1HitRateLow,
  l2HitRateLow,
  redisNoLimit,
  redisPolicy,
  redisMemoryHigh,
  hotKeys,
  warmingBudget,
  warmingCoverage,
];

export function adviseCache(input: CacheAdviceInput): CacheAdvice[] {
  return RULES.map((rule) => rule(input)).filter((a): a is CacheAdvice => a !== undefined);
}
