import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface RevokedSession {
  id: string;
  revision: number;
}

export interface StreamHandlers {
  revoke(sessions: RevokedSession[]): void;
  /** Everything cached may be stale. */
  flush(reason: string): void;
  /** A heartbeat: the server hears of every change and this stream is caught up. */
  heartbeat(): void;
  connected(value: boolean): void;
}

export interface StreamOptions {
  url: string;
  serviceKey: string;
  /** Silence after which the connection is dropped and opened again (a frozen server keeps TCP open). */
  idleReconnectMs: number;
  connectTimeoutMs: number;
}

const MAX_BACKOFF_MS = 2_000;

/** Reads one SSE event of the revocation stream; anything not shaped as documented is ignored. */
export function interpret(event: EventSourceMessage, handlers: StreamHandlers): void {
  switch (event.event) {
    case 'heartbeat':
      handlers.heartbeat();
      return;
    case 'flush': {
      handlers.flush(reasonOf(event.data));
      return;
    }
    case 'revoke': {
      const sessions = sessionsOf(event.data);
      // A revoke we cannot read is treated as the worst case.
      if (sessions) handlers.revoke(sessions);
      else handlers.flush('unreadable revoke event');
      return;
    }
    default:
  }
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

function reasonOf(data: string): string {
  const value = parse(data) as { reason?: unknown } | undefined;
  return typeof value?.reason === 'string' ? value.reason.slice(0, 200) : 'flush';
}

function sessionsOf(data: string): RevokedSession[] | undefined {
  const value = parse(data) as { sessions?: unknown } | undefined;
  if (!value || !Array.isArray(value.sessions)) return undefined;
  const out: RevokedSession[] = [];
  for (const s of value.sessions as unknown[]) {
    const r = s as { id?: unknown; revision?: unknown } | null;
    if (!r || typeof r.id !== 'string' || typeof r.revision !== 'number') return undefined;
    out.push({ id: r.id, revision: r.revision });
  }
  return out;
}

/**
 * The connection to GET /v1/sessions/revocations: reconnects (with `Last-Event-ID`, so nothing is missed) after an
 * error, an end, or a silence longer than `idleReconnectMs`.
 */
export class RevocationStream {
  readonly #options: StreamOptions;
  readonly #handlers: StreamHandlers;
  #lastEventId: string | undefined;
  #abort: AbortController | undefined;
  #closed = false;
  #running: Promise<void> | undefined;
  #lastByteAt = 0;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(options: StreamOptions, handlers: StreamHandlers) {
    this.#options = options;
    this.#handlers = handlers;
  }

  /** Position in the server's change log up to which events were received; undefined before the first id. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  start(): void {
    this.#running ??= this.#loop();
    this.#watchdog = setInterval(() => {
      if (this.#abort && Date.now() - this.#lastByteAt > this.#options.idleReconnectMs) this.#abort.abort();
    }, 250);
    this.#watchdog.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    this.#abort?.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    let backoff = 100;
    while (!this.#closed) {
      const gotEvents = await this.#connectOnce().catch(() => false);
      this.#handlers.connected(false);
      if (this.#closed) return;
      backoff = gotEvents ? 100 : Math.min(backoff * 2, MAX_BACKOFF_MS);
      await new Promise((resolve) => setTimeout(resolve, backoff).unref());
    }
  }

  /** One connection, read to its end; true if it delivered anything. */
  async #connectOnce(): Promise<boolean> {
    const abort = new AbortController();
    this.#abort = abort;
    this.#lastByteAt = Date.now();
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#options.serviceKey}`,
      accept: 'text/event-stream',
    };
    if (this.#lastEventId !== undefined) headers['last-event-id'] = this.#lastEventId;
    const timer = setTimeout(() => abort.abort(), this.#options.connectTimeoutMs);
    let response: Response;
    try {
      response = await fetch(this.#options.url, { headers, signal: abort.signal });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      return false;
    }
    this.#handlers.connected(true);
    let delivered = false;
    const parser = createParser({
      onEvent: (event) => {
        delivered = true;
        if (event.id !== undefined) this.#lastEventId = event.id;
        interpret(event, this.#handlers);
      },
    });
    const decoder = new TextDecoder();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.#lastByteAt = Date.now();
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      reader.releaseLock();
    }
    return delivered;
  }
}
