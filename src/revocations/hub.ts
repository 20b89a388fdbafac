import type { Logger } from 'pino';
import type { InvalidationBus } from '../cache/types.js';
import { ChangeLogCursor } from '../sessions/change-log-cursor.js';
import type { LoggedSessionChange, SessionsRepository } from '../store/types.js';
import { flushFrame, heartbeatFrame, revokeFrame } from './frames.js';

/** Frequent: a revocation made on this instance reaches its streams within one poll. One query per poll, shared. */
const POLL_MS = 50;
const PAGE = 1000;
/** A resumption further behind than this is answered with "flush everything" rather than replayed. */
const MAX_REPLAY = 10_000;
/** At most 300 ms between heartbeats (SPEC §9). */
const HEARTBEAT_MS = 250;
/** Beyond this a stream's unsent bytes are dropped and replaced by one flush (a reader that fell behind). */
const MAX_BUFFERED_BYTES = 1 << 20;
const GAP_TIMEOUT_MS = 10_000;
/** The change log must have been read this recently, and the bus heard from, for a heartbeat to vouch. */
const FRESH_MS = 1_000;

export interface StreamSink {
  write(frame: string): boolean;
  readonly writableLength: number;
  once(event: 'drain', listener: () => void): void;
}

interface Stream {
  sink: StreamSink;
  /** Frames held back while this stream replays its gap. */
  pending: string[] | undefined;
  /** Its buffer overflowed: nothing is written until it drains, then one flush. */
  overflowed: boolean;
}

export interface RevocationHubOptions {
  sessions: Pick<SessionsRepository, 'changesAfter' | 'changeSeqBefore'>;
  bus: InvalidationBus;
  logger: Logger;
  pollMs?: number;
  heartbeatMs?: number;
  maxBufferedBytes?: number;
  maxReplay?: number;
}

export interface RevocationHubStats {
  streams: number;
  through: number;
  heartbeating: boolean;
}

/**
 * Fans the session change log out to every revocation stream of this instance: one reader and one heartbeat
 * timer shared by all of them. Bus messages from other instances are forwarded at once (without an id); the
 * change log follows with the ids a reconnecting client resumes from, on this or any other instance.
 */
export class RevocationHub {
  readonly #options: Required<Omit<RevocationHubOptions, 'sessions' | 'bus' | 'logger'>> & RevocationHubOptions;
  readonly #streams = new Set<Stream>();
  #cursor: ChangeLogCursor | undefined;
  /** Seqs past a gap already sent (they are read again until the gap closes). */
  readonly #sentPastGap = new Set<number>();
  #lastReadAt = -Infinity;
  #started: Promise<void> | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #failing = false;
  #closed = false;

  constructor(options: RevocationHubOptions) {
    this.#options = {
      pollMs: POLL_MS,
      heartbeatMs: HEARTBEAT_MS,
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      maxReplay: MAX_REPLAY,
      ...options,
    };
    options.bus.subscribe((message) => {
      if (message.kind === 'revisions')
        this.#broadcast(revokeFrame(message.revisions.map((r) => ({ sessionId: r.id, revision: r.revision }))));
      else if (message.kind === 'flush') this.#broadcast(flushFrame(undefined, 'cache flushed'));
    });
  }

  stats(): RevocationHubStats {
    return {
      streams: this.#streams.size,
      through: this.#cursor?.through ?? 0,
      heartbeating: this.#vouches(Date.now()),
    };
  }

  /**
   * Adds a stream that has seen everything up to `lastEventId` (undefined: a new client, nothing to replay).
   * Returns the function that removes it.
   */
  async attach(sink: StreamSink, lastEventId: number | undefined): Promise<() => void> {
    await this.start();
    const stream: Stream = { sink, pending: lastEventId === undefined ? undefined : [], overflowed: false };
    this.#streams.add(stream);
    const detach = () => void this.#streams.delete(stream);
    if (lastEventId !== undefined) await this.#replay(stream, lastEventId);
    return detach;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    clearInterval(this.#heartbeatTimer);
    this.#streams.clear();
  }

  async #replay(stream: Stream, after: number): Promise<void> {
    const through = this.#cursor!.through;
    let frame: string;
    try {
      const floor = await this.#options.sessions.changeSeqBefore(0);
      if (after > through || after < floor) frame = flushFrame(through, 'gap not replayable');
      else {
        const rows: LoggedSessionChange[] = [];
        for (let seq = after; rows.length <= this.#options.maxReplay;) {
          const page = await this.#options.sessions.changesAfter(seq, PAGE);
          rows.push(...page);
          if (page.length < PAGE) break;
          seq = page[page.length - 1].seq;
        }
        frame =
          rows.length > this.#options.maxReplay
            ? flushFrame(through, 'too far behind')
            : revokeFrame(rows, Math.max(through, after));
      }
    } catch {
      frame = flushFrame(through, 'change log unreadable');
    }
    const pending = stream.pending ?? [];
    stream.pending = undefined;
    this.#write(stream, frame);
    for (const held of pending) this.#write(stream, held);
  }

  /** Reads where the change log stands and starts the shared reader and heartbeat (once). */
  start(): Promise<void> {
    return (this.#started ??= (async () => {
      const through = await this.#options.sessions.changeSeqBefore(Date.now());
      this.#cursor = new ChangeLogCursor(through, GAP_TIMEOUT_MS);
      this.#lastReadAt = Date.now();
      this.#schedulePoll();
      this.#heartbeatTimer = setInterval(() => this.#heartbeat(), this.#options.heartbeatMs);
      this.#heartbeatTimer.unref();
    })().catch((error: unknown) => {
      this.#started = undefined;
      throw error;
    }));
  }

  #schedulePoll(): void {
    if (this.#closed) return;
    this.#pollTimer = setTimeout(() => {
      this.#poll()
        .then(() => (this.#failing = false))
        .catch((error: unknown) => {
          if (!this.#failing) this.#options.logger.warn({ err: error }, 'revocation stream: change log unreadable');
          this.#failing = true;
        })
        .finally(() => this.#schedulePoll());
    }, this.#options.pollMs);
    this.#pollTimer.unref();
  }

  async #poll(): Promise<void> {
    const startedAt = Date.now();
    const cursor = this.#cursor!;
    for (let after = cursor.through; ;) {
      const rows = await this.#options.sessions.changesAfter(after, PAGE);
      const fresh = rows.filter((r) => !this.#sentPastGap.has(r.seq));
      cursor.advance(
        rows.map((r) => r.seq),
        Date.now(),
      );
      for (const r of fresh) if (r.seq > cursor.through) this.#sentPastGap.add(r.seq);
      for (const seq of this.#sentPastGap) if (seq <= cursor.through) this.#sentPastGap.delete(seq);
      if (fresh.length > 0) this.#broadcast(revokeFrame(fresh, cursor.through));
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1].seq;
    }
    this.#lastReadAt = startedAt;
  }

  /** The bus is up and heard from, and the change log was read a moment ago. */
  #vouches(now: number): boolean {
    const { bus } = this.#options;
    if (!bus.connected || now - this.#lastReadAt > FRESH_MS) return false;
    return !bus.spansInstances || now - bus.vouchedAt <= FRESH_MS;
  }

  #heartbeat(): void {
    const now = Date.now();
    if (!this.#vouches(now)) return;
    this.#broadcast(heartbeatFrame(this.#cursor!.through, now));
  }

  #broadcast(frame: string): void {
    for (const stream of this.#streams) {
      if (stream.pending) stream.pending.push(frame);
      else this.#write(stream, frame);
    }
  }

  #write(stream: Stream, frame: string): void {
    if (stream.overflowed) return;
    if (stream.sink.writableLength > this.#options.maxBufferedBytes) {
      stream.overflowed = true;
      stream.sink.once('drain', () => {
        stream.overflowed = false;
        stream.sink.write(flushFrame(this.#cursor?.through, 'stream fell behind'));
      });
      return;
    }
    stream.sink.write(frame);
  }
}
