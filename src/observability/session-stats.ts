/** Session figures from the store: counts by state, and its size on disk. */
export interface SessionStats {
  active: number;
  expired: number;
  revoked: number;
  sizeBytes?: number;
  /** Last successful cleanup on any instance, when the store knows it (epoch ms). */
  lastCleanupAt?: number;
}

export type SessionStatsSource = () => Promise<SessionStats>;

/**
 * Counting sessions is a table scan on a large store, so scrapes, the summary and alerts share one sample
 * refreshed at most every `maxAgeMs`; concurrent readers share the one refresh in flight.
 */
export class SessionStatsCache {
  private source: SessionStatsSource | undefined;
  private value: SessionStats | undefined;
  private at = 0;
  private inflight: Promise<SessionStats | undefined> | undefined;

  constructor(
    private readonly maxAgeMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  setSource(source: SessionStatsSource): void {
    this.source = source;
    this.at = 0;
  }

  get(): Promise<SessionStats | undefined> {
    if (!this.source) return Promise.resolve(undefined);
    if (this.value && this.now() - this.at < this.maxAgeMs) return Promise.resolve(this.value);
    this.inflight ??= this.source()
      .then((v) => {
        this.value = v;
        this.at = this.now();
        return v;
      })
      // A store that does not answer leaves the last sample in place rather than failing a scrape.
      .catch(() => this.value)
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}

/** The usual source: the store's counts by state and its size on disk. */
export function sessionStatsFromStore(
  store: {
    sessions: { countByState(now: number): Promise<{ active: number; expired: number; revoked: number }> };
    sizeBytes(): Promise<number>;
  },
  now: () => number = Date.now,
): SessionStatsSource {
  return async () => {
    const [counts, sizeBytes] = await Promise.all([store.sessions.countByState(now()), store.sizeBytes()]);
    return { ...counts, sizeBytes };
  };
}
