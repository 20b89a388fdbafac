import type { Logger } from 'pino';
import type { Revision } from '../cache/types.js';
import type { SessionsRepository } from '../store/types.js';
import { ChangeLogCursor } from './change-log-cursor.js';

const PAGE = 2000;
const PAGES_PER_POLL = 10;
/** Longer than any of our change transactions can sit between taking a sequence number and committing. */
const GAP_TIMEOUT_MS = 10_000;

export interface ChangeFeedOptions {
  sessions: Pick<SessionsRepository, 'changesAfter' | 'changeSeqBefore'>;
  pollIntervalMs: number;
  /** How far back the first read goes: as long as a cache can hold a stale copy. */
  lookbackMs: number;
  apply(revisions: Revision[], now: number): void;
  logger: Logger;
}

/**
 * Reads the database's change log on a short interval and hands every new revision to the caches. This is the
 * channel that cannot lose a revocation: the bus is faster, but Redis may drop what it carries.
 */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  #cursor: ChangeLogCursor | undefined;
  #lastReadStartedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #failing = false;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
  }

  /** True once the first read (the whole lookback window) is done: until then no shared cache entry is trusted. */
  get ready(): boolean {
    return this.#lastReadStartedAt !== undefined;
  }

  /** Every change committed before this (epoch ms) has been applied; -Infinity before the first read. */
  get lastReadStartedAt(): number {
    return this.#lastReadStartedAt ?? -Infinity;
  }

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One read of everything new; rejects when the database does not answer. */
  async poll(): Promise<void> {
    const startedAt = Date.now();
    const { sessions } = this.#options;
    this.#cursor ??= new ChangeLogCursor(
      await sessions.changeSeqBefore(startedAt - this.#options.lookbackMs),
      GAP_TIMEOUT_MS,
    );
    let after = this.#cursor.through;
    for (let page = 0; page < PAGES_PER_POLL; page += 1) {
      const rows = await sessions.changesAfter(after, PAGE);
      if (rows.length > 0)
        this.#options.apply(
          rows.map(({ sessionId, revision }) => ({ id: sessionId, revision })),
          Date.now(),
        );
      this.#cursor.advance(
        rows.map((r) => r.seq),
        Date.now(),
      );
      if (rows.length < PAGE) {
        this.#lastReadStartedAt = startedAt;
        return;
      }
      after = rows[rows.length - 1].seq;
    }
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.poll()
        .then(() => {
          if (this.#failing) this.#options.logger.info('session change log readable again');
          this.#failing = false;
        })
        .catch((error: unknown) => {
          if (!this.#failing)
            this.#options.logger.warn(
              { err: error },
              'session change log unreadable: shared cache entries are trusted less',
            );
          this.#failing = true;
        })
        .finally(() => this.#schedule(this.#options.pollIntervalMs));
    }, delayMs);
    this.#timer.unref();
  }
}
