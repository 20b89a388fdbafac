import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** A raw reader of the revocation stream for tests: every event it received, and a way to wait for one. */
export async function openStream(url: string, key: string, lastEventId?: string) {
  const abort = new AbortController();
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch(`${url}/v1/sessions/revocations`, { headers, signal: abort.signal });
  const events: Array<EventSourceMessage & { at: number }> = [];
  const parser = createParser({ onEvent: (e) => events.push({ ...e, at: Date.now() }) });
  let ended = false;
  const reading = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
        parser.feed(decoder.decode(chunk, { stream: true }));
    } catch {
      /* aborted */
    }
    ended = true;
  })();
  return {
    response,
    events,
    ended: () => ended,
    async next(match: (e: EventSourceMessage) => boolean, timeoutMs = 3000): Promise<EventSourceMessage> {
      const from = events.length;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.slice(from).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}
