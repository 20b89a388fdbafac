/** Session figures from the store: counts by state, and its size on disk. */
export interface SessionStats {
  active: number;
  expired: number;
  revoked: number;
  sizeBytes?: number;
  /** The sessions table with its indexes. */
  tableBytes?: number;
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
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly maxAgeMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  setSource(source: SessionStatsSource): void {
    this.source = source;
    this.at = 0;
  }

  /**
   * Reads the store every `intervalMs` from now on, handing each sample to `onSample`; readers then get the last
   * sample and never query the store themselves (only the first reader before the first poll does).
   */
  poll(intervalMs: number, onSample?: (stats: SessionStats) => void): void {
    if (this.timer) return;
    const read = (): void =>
      void this.refresh().then((s) => {
        if (s) onSample?.(s);
      });
    this.timer = setInterval(read, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get(): Promise<SessionStats | undefined> {
    if (!this.source) return Promise.resolve(undefined);
    if (this.value && (this.timer !== undefined || this.now() - this.at < this.maxAgeMs))
      return Promise.resolve(this.value);
    return this.refresh();
  }

  /** Reads the store now (concurrent callers share the read in flight). */
  refresh(): Promise<SessionStats | undefined> {
    if (!this.source) return Promise.resolve(undefined);
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
    sessionsTableBytes?(): Promise<number>;
  },
  now: () => number = Date.now,
): SessionStatsSource {
  return async () => {
    const [counts, sizeBytes, tableBytes] = await Promise.all([
      store.sessions.countByState(now()),
      store.sizeBytes(),
      store.sessionsTableBytes?.(),
    ]);
    return { ...counts, sizeBytes, ...(tableBytes === undefined ? {} : { tableBytes }) };
  };
}
