import { LazyLru } from '../security/lazy-lru.js';

export interface TtlBounds {
  /** A cold entry's lifetime (filled for the first time). */
  minMs: number;
  /** The longest any entry lives; the fences' retention is computed from it. */
  maxMs: number;
}

export interface AdaptiveTtlOptions {
  l1: TtlBounds;
  l2: TtlBounds;
  /** Keys whose fill history is remembered (the oldest are forgotten first). */
  trackedKeys: number;
}

export interface AdaptiveTtlStats {
  tracked: number;
  /** Tracked keys at the longest lifetime. */
  atMax: number;
}

/**
 * Lifetimes by use: an entry's first fill lives `minMs`. When the same key is filled again soon after its copy
 * expired (it was away no longer than its lifetime: asked for about as often as the lifetime, or more), the next
 * lifetime doubles, up to `maxMs`; when it comes back after a longer absence, it halves, down to `minMs`. Hot
 * sessions are then refilled rarely and rarely used ones leave memory sooner. Only fills are observed: the L1 hit
 * path pays nothing. A key not filled again within twice the longest lifetime is forgotten, and starts cold again.
 */
export class AdaptiveTtl {
  readonly #levels: LazyLru<string, { level: number; filledAt: number }>;
  readonly #options: AdaptiveTtlOptions;
  readonly #maxLevel: number;

  constructor(options: AdaptiveTtlOptions) {
    this.#options = options;
    const longest = Math.max(options.l1.maxMs, options.l2.maxMs);
    this.#levels = new LazyLru({ max: Math.max(1, options.trackedKeys), ttl: 2 * longest, updateAgeOnGet: false });
    const levels = (b: TtlBounds) => Math.ceil(Math.log2(Math.max(1, b.maxMs / Math.max(1, b.minMs))));
    this.#maxLevel = Math.max(levels(options.l1), levels(options.l2));
  }

  /** Records a fill of `key` at `now` (unless `observe` is false) and returns its lifetimes in L1 and L2. */
  fill(key: string, observe = true, now = Date.now()): { l1Ms: number; l2Ms: number } {
    const known = this.#levels.get(key);
    let level = known?.level ?? 0;
    if (observe && known) {
      const awayMs = now - known.filledAt - this.#lifetime(this.#options.l1, known.level);
      level =
        awayMs <= this.#lifetime(this.#options.l1, known.level)
          ? Math.min(level + 1, this.#maxLevel)
          : Math.max(level - 1, 0);
    }
    if (observe) this.#levels.set(key, { level, filledAt: now });
    return { l1Ms: this.#lifetime(this.#options.l1, level), l2Ms: this.#lifetime(this.#options.l2, level) };
  }

  stats(): AdaptiveTtlStats {
    let atMax = 0;
    for (const { level } of this.#levels.values()) if (level >= this.#maxLevel) atMax++;
    return { tracked: this.#levels.size, atMax };
  }

  #lifetime({ minMs, maxMs }: TtlBounds, level: number): number {
    return Math.min(maxMs, minMs * 2 ** level);
  }
}
