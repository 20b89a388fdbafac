import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { RevocationHub } from '../../src/revocations/hub.js';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';

let server: TestTessera;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  server = await startTestTessera();
  api = apiClient(server.url);
});
afterAll(() => server.stop());

describe('revocation hub', () => {
  it('a stream that falls too far behind gets its backlog replaced by one flush once it drains', async () => {
    const hub = new RevocationHub({
      sessions: server.runtime.store.sessions,
      bus: server.runtime.bus,
      logger: pino({ level: 'silent' }),
      maxBufferedBytes: 300,
    });
    // Nobody reads this stream: its buffer grows as a slow client's socket would.
    const sink = new PassThrough({ highWaterMark: 64 });
    const detach = await hub.attach(sink, undefined);
    try {
      for (let i = 0; i < 6; i += 1) {
        const { token } = await newSession(api);
        await api('POST', '/v1/auth/logout', undefined, { token });
      }
      await waitUntil(() => sink.writableLength > 300, 3000, 'backlog');
      const held = sink.writableLength;
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.writableLength).toBe(held); // nothing more is queued while it is behind
      let text = '';
      sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
      await waitUntil(() => text.includes('event: flush'), 3000, 'flush after drain');
      expect(text).toContain('stream fell behind');
      expect(hub.stats().streams).toBe(1);
    } finally {
      detach();
      hub.close();
    }
  });
});
