import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreaker } from '../../src/cache/breaker.js';
import { createRedisL2 } from '../../src/cache/l2-redis.js';
import {
  closeRedisConnection,
  createRedisConnection,
  waitForRedisReady,
  type RedisConnection,
} from '../../src/cache/redis-client.js';
import type { Breaker, BreakerState, L2Cache } from '../../src/cache/types.js';
import { DependencyError } from '../../src/errors/index.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { waitUntil } from '../helpers/poll.js';

const TIMEOUT_MS = 200;

async function timedRejection(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected a rejection');
}

describe('breaker', () => {
  it('opens after consecutive failures, rejects fast while open, half-opens and closes on success', async () => {
    const breaker = createBreaker('unit', { failureThreshold: 2, halfOpenAfterMs: 100 });
    const states: BreakerState[] = [];
    breaker.onStateChange((s) => states.push(s));
    await expect(breaker.execute(() => Promise.reject(new Error('boom')))).rejects.toBeInstanceOf(DependencyError);
    expect(breaker.state).toBe('closed');
    // A success in between resets the count: only failures in a row open it.
    expect(await breaker.execute(async () => 1)).toBe(1);
    await expect(breaker.execute(() => Promise.reject(new Error('boom')))).rejects.toBeInstanceOf(DependencyError);
    expect(breaker.state).toBe('closed');
    // A function that throws instead of rejecting counts the same.
    const thrown = await timedRejection(
      breaker.execute(() => {
        throw new Error('sync');
      }),
    );
    expect(thrown.error).toBeInstanceOf(DependencyError);
    expect(breaker.state).toBe('open');
    let called = false;
    await expect(
      breaker.execute(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(DependencyError);
    expect(called).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect(await breaker.execute(async () => 'ok')).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('lets one trial through when half-open; its failure opens the breaker again', async () => {
    const breaker = createBreaker('trial', { failureThreshold: 1, halfOpenAfterMs: 50 });
    const states: BreakerState[] = [];
    breaker.onStateChange((s) => states.push(s));
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toBeInstanceOf(DependencyError);
    await new Promise((r) => setTimeout(r, 70));
    let release!: (value: string) => void;
    const trial = breaker.execute(() => new Promise<string>((resolve) => (release = resolve)));
    expect(breaker.state).toBe('half-open');
    // While the trial is out, every other call is refused without being made.
    let called = false;
    await expect(
      breaker.execute(async () => {
        called = true;
      }),
    ).rejects.toBeInstanceOf(DependencyError);
    expect(called).toBe(false);
    release('late');
    expect(await trial).toBe('late');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(() => Promise.reject(new Error('again')))).rejects.toBeInstanceOf(DependencyError);
    await new Promise((r) => setTimeout(r, 70));
    await expect(breaker.execute(() => Promise.reject(new Error('still')))).rejects.toBeInstanceOf(DependencyError);
    expect(breaker.state).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'closed', 'open', 'half-open', 'open']);
  });

  it('closes by itself through its probe, without traffic', async () => {
    let healthy = false;
    const breaker = createBreaker('probed', {
      failureThreshold: 1,
      halfOpenAfterMs: 50,
      probe: async () => {
        if (!healthy) throw new Error('still down');
      },
    });
    await expect(breaker.execute(() => Promise.reject(new Error('down')))).rejects.toBeInstanceOf(DependencyError);
    expect(breaker.state).toBe('open');
    await new Promise((r) => setTimeout(r, 200)); // a few failed probes keep it open
    expect(breaker.state).toBe('open');
    healthy = true;
    await waitUntil(() => breaker.state === 'closed', 2000);
  });
});

describe('L2 through the breaker on a private redis-server', () => {
  let server: OwnRedis;
  let connection: RedisConnection;
  let breaker: Breaker;
  let l2: L2Cache;
  const states: BreakerState[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    connection = createRedisConnection({ redisUrl: server.url, redisTimeout: TIMEOUT_MS }, 'command', {
      maxBackoffMs: 200,
    });
    expect(await waitForRedisReady(connection, 5000)).toBe(true);
    breaker = createBreaker('redis', {
      failureThreshold: 3,
      halfOpenAfterMs: 300,
      probe: () => connection.ping(),
    });
    breaker.onStateChange((s) => states.push(s));
    l2 = createRedisL2(connection, { prefix: 'f:', breaker, compressThreshold: 1024, hotKeys: 5 });
  });

  afterAll(async () => {
    await closeRedisConnection(connection);
    await server?.stop();
  });

  const failUntilOpen = async (paused = false): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      const { error, ms } = await timedRejection(l2.get('k'));
      expect(error).toBeInstanceOf(DependencyError);
      // The breaker sets no timer: a paused Redis is cut off by the connection's own commandTimeout.
      if (paused) expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
      expect((error as DependencyError).dependency).toBe('redis');
      expect(ms).toBeLessThan(TIMEOUT_MS * 5);
    }
    expect(breaker.state).toBe('open');
    expect(l2.available).toBe(false);
    const fast = await timedRejection(l2.get('k'));
    expect(fast.error).toBeInstanceOf(DependencyError);
    expect(fast.ms).toBeLessThan(TIMEOUT_MS);
  };

  it('works while Redis is up', async () => {
    await l2.set('k', 'v', 60_000);
    expect(await l2.get('k')).toBe('v');
  });

  it('paused Redis: calls time out, the breaker opens, then it closes by itself after resume', async () => {
    states.length = 0;
    server.pause();
    try {
      await failUntilOpen(true);
    } finally {
      server.resume();
    }
    await waitUntil(() => breaker.state === 'closed');
    expect(states).toContain('half-open');
    expect(states.at(-1)).toBe('closed');
    expect(await l2.get('k')).toBe('v');
  });

  it('killed Redis: calls fail fast, the breaker opens; a restart recovers the same clients', async () => {
    states.length = 0;
    await server.stop();
    await failUntilOpen();
    const stats = await l2.stats();
    expect(stats.breaker).toBe('open');
    expect(stats.memory).toBeUndefined();
    await server.restart();
    await waitUntil(() => breaker.state === 'closed');
    expect(states.at(-1)).toBe('closed');
    // the restarted server is empty (no persistence): a miss, then writes work again
    expect(await l2.get('k')).toBeUndefined();
    await l2.set('k', 'again', 60_000);
    expect(await l2.get('k')).toBe('again');
  });
});
