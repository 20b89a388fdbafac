import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus } from '../../src/cache/bus-redis.js';
import { closeRedisConnection, createRedisConnection } from '../../src/cache/redis-client.js';
import type { BusMessage } from '../../src/cache/types.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/poll.js';

/** One simulated Tessera process: its own command + subscriber connections and its bus. */
function instance(url: string, instanceId: string) {
  const config = { redisUrl: url, redisTimeout: 200 };
  const command = createRedisConnection(config, 'command', { maxBackoffMs: 200 });
  const subscriber = createRedisConnection(config, 'subscriber', { maxBackoffMs: 200 });
  const bus = createRedisBus(command, subscriber, {
    channel: 'tss:bus',
    instanceId,
    heartbeatMs: 100,
    heartbeatTimeoutMs: 500,
  });
  const received: BusMessage[] = [];
  const changes: boolean[] = [];
  bus.subscribe((m) => received.push(m));
  bus.onStateChange((c) => changes.push(c));
  return {
    bus,
    received,
    changes,
    close: async () => {
      await bus.close();
      await Promise.all([closeRedisConnection(command), closeRedisConnection(subscriber)]);
    },
  };
}

describe('Redis invalidation bus on a private redis-server', () => {
  let server: OwnRedis;
  let a: ReturnType<typeof instance>;
  let b: ReturnType<typeof instance>;

  beforeAll(async () => {
    server = await startRedisServer();
    a = instance(server.url, 'A');
    b = instance(server.url, 'B');
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await server?.stop();
  });

  it('starts disconnected with lostAt set, then connects', async () => {
    expect(await a.bus.waitUntilConnected(5000)).toBe(true);
    expect(await b.bus.waitUntilConnected(5000)).toBe(true);
    expect(b.bus.connected).toBe(true);
    expect(b.bus.lostAt).toBeUndefined();
  });

  it('delivers a message published on A to B, not back to A; drops malformed messages', async () => {
    const message: BusMessage = { kind: 'revisions', revisions: [{ id: 's1', revision: 2 }] };
    await a.bus.publish(message);
    await a.bus.publish({ kind: 'flush' });
    await waitUntil(() => b.received.length === 2, 5000, 'B receives');
    expect(b.received).toEqual([message, { kind: 'flush' }]);
    expect(a.received).toEqual([]);
    const stranger = new Redis(server.url);
    for (const junk of [
      'not json',
      '{"from":"X"}',
      '{"from":"X","message":{"kind":"revisions","revisions":[{"id":1,"revision":2}]}}',
      '{"from":"X","message":{"kind":"nope"}}',
    ]) {
      await stranger.publish('tss:bus', junk);
    }
    await stranger.publish(
      'tss:bus',
      JSON.stringify({ from: 'X', message: { kind: 'revisions', revisions: [{ id: 'u9', revision: 7 }] } }),
    );
    stranger.disconnect();
    await waitUntil(() => b.received.length === 3, 5000, 'B receives the valid one');
    expect(b.received[2]).toEqual({ kind: 'revisions', revisions: [{ id: 'u9', revision: 7 }] });
  });

  it('killed Redis: B loses the bus (lostAt, onStateChange(false)); restart reconnects by itself', async () => {
    b.changes.length = 0;
    const before = Date.now();
    await server.stop();
    await waitUntil(() => !b.bus.connected, 3000, 'B disconnected');
    const lostAt = b.bus.lostAt!;
    expect(lostAt).toBeGreaterThanOrEqual(before - 1000);
    expect(lostAt).toBeLessThanOrEqual(Date.now());
    expect(b.changes).toEqual([false]);
    await expect(a.bus.publish({ kind: 'flush' })).rejects.toMatchObject({ code: 'unavailable', dependency: 'redis' });
    await new Promise((r) => setTimeout(r, 700)); // heartbeats keep failing meanwhile
    expect(b.bus.lostAt).toBe(lostAt); // the first loss moment is kept
    await server.restart();
    await waitUntil(() => a.bus.connected && b.bus.connected, 10_000, 'both reconnected');
    expect(b.changes).toEqual([false, true]);
    expect(b.bus.lostAt).toBeUndefined();
    await a.bus.publish({ kind: 'revisions', revisions: [{ id: 'u1', revision: 7 }] });
    await waitUntil(
      () => b.received.some((m) => m.kind === 'revisions' && m.revisions[0]?.id === 'u1'),
      5000,
      'B receives after restart',
    );
  });

  it('frozen Redis: heartbeats stop coming back and the bus is lost; resume restores it', async () => {
    b.changes.length = 0;
    // While Redis answers, the bus vouches for the recent past: its newest echoed heartbeat is fresh.
    await waitUntil(() => b.bus.vouchedAt > Date.now() - 300, 3000, 'B vouches while healthy');
    const before = Date.now();
    server.pause();
    let vouchedWhenLost = 0;
    try {
      await waitUntil(() => !b.bus.connected, 3000, 'B lost on pause');
      expect(b.bus.lostAt).toBeGreaterThanOrEqual(before - 500);
      expect(b.bus.lostAt).toBeLessThanOrEqual(before + 200);
      // Frozen, nothing echoes: what the bus vouches for stopped at the pause (caches then stop trusting it).
      vouchedWhenLost = b.bus.vouchedAt;
      expect(vouchedWhenLost).toBeLessThanOrEqual(before + 200);
      expect(b.bus.spansInstances).toBe(true);
    } finally {
      server.resume();
    }
    await waitUntil(() => b.bus.connected, 5000, 'B back after resume');
    expect(b.changes).toEqual([false, true]);
    await waitUntil(() => b.bus.vouchedAt > vouchedWhenLost + 1000, 3000, 'B vouches again after resume');
    // …but only from the end of the silence: what was published during it may never arrive.
    expect(b.bus.vouchedSince).toBeGreaterThan(vouchedWhenLost);
  });
});
