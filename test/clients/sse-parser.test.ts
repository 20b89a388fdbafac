import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createParser } from 'eventsource-parser';
import { interpret, type StreamHandlers } from '../../packages/client/src/revocation-stream.js';

interface Seen {
  revoked: Array<{ id: string; revision: number }>;
  flushes: number;
  heartbeats: number;
}

/** Feeds `chunks` to the client's stream reading (parser + interpretation), as the network would deliver them. */
function read(chunks: string[]): Seen {
  const seen: Seen = { revoked: [], flushes: 0, heartbeats: 0 };
  const handlers: StreamHandlers = {
    revoke: (sessions) => seen.revoked.push(...sessions),
    flush: () => (seen.flushes += 1),
    heartbeat: () => (seen.heartbeats += 1),
    connected: () => {},
  };
  const parser = createParser({ onEvent: (event) => interpret(event, handlers) });
  for (const chunk of chunks) parser.feed(chunk);
  return seen;
}

const splitAt = (text: string, cuts: number[]): string[] => {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.slice(from, p));
    from = p;
  }
  out.push(text.slice(from));
  return out;
};

describe('revocation stream reading (SSE parser + events) under hostile input', () => {
  it('never throws, and reports only well-formed revocations', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.string({ unit: 'binary' }),
            fc.constantFrom(
              'event: revoke\n',
              'event: flush\n',
              'data: ',
              'id: 1\n',
              '\n',
              '\r\n',
              ': c\n',
              'retry: x\n',
            ),
            fc.json().map((j) => `event: revoke\ndata: ${j}\n\n`),
          ),
          { maxLength: 30 },
        ),
        (chunks) => {
          const seen = read(chunks);
          for (const s of seen.revoked) {
            expect(typeof s.id).toBe('string');
            expect(typeof s.revision).toBe('number');
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a revoke event it cannot read counts as a flush (the safe side)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string().filter((s) => !s.includes('\n') && !s.includes('\r')),
          fc.json().filter((j) => !/"sessions"/.test(j)),
        ),
        (data) => {
          const seen = read([`event: revoke\ndata: ${data}\n\n`]);
          expect(seen.revoked).toEqual([]);
          expect(seen.flushes).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a well-formed stream split anywhere yields the same events', () => {
    const sessionArb = fc.record({ id: fc.uuid(), revision: fc.integer({ min: 1, max: 1e9 }) });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.array(sessionArb, { maxLength: 4 }).map((sessions) => ({ kind: 'revoke' as const, sessions })),
            fc.constant({ kind: 'heartbeat' as const, sessions: [] }),
            fc.constant({ kind: 'flush' as const, sessions: [] }),
          ),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom('\n', '\r\n'),
        (events, cuts, eol) => {
          const text = events
            .map((e, i) =>
              e.kind === 'revoke'
                ? `id: ${i}${eol}event: revoke${eol}data: ${JSON.stringify({ sessions: e.sessions })}${eol}${eol}`
                : e.kind === 'flush'
                  ? `event: flush${eol}data: {"reason":"x"}${eol}${eol}`
                  : `: comment${eol}id: ${i}${eol}event: heartbeat${eol}data: 1${eol}${eol}`,
            )
            .join('');
          const whole = read([text]);
          expect(read(splitAt(text, cuts))).toEqual(whole);
          expect(whole.revoked).toEqual(events.flatMap((e) => e.sessions));
          expect(whole.heartbeats).toBe(events.filter((e) => e.kind === 'heartbeat').length);
          expect(whole.flushes).toBe(events.filter((e) => e.kind === 'flush').length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
