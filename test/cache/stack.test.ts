import { describe, expect, it } from 'vitest';
import type { RedisBus } from '../../src/cache/bus-redis.js';
import { createCacheStack } from '../../src/cache/stack.js';
import { loadConfig } from '../../src/config/index.js';
import { REDIS_URL, describeWith, freePort, uniquePrefix } from '../helpers/services.js';
import { waitUntil } from '../helpers/poll.js';

describe('cache stack in embedded mode', () => {
  it('has an L1 bounded by SESSION_L1_MAX, no L2 and a single-process bus', async () => {
    const tiers = createCacheStack<string>(loadConfig({ SESSION_L1_MAX: '2' }), { instanceId: 'solo' });
    for (const key of ['a', 'b', 'c']) tiers.l1.set(key, key);
    expect(tiers.l1.stats()).toMatchObject({ size: 2, max: 2, evictions: 1 });
    expect(tiers.l2).toBeUndefined();
    expect(tiers.breaker).toBeUndefined();
    expect(tiers.bus.connected).toBe(true);
    await tiers.close();
  });
});

describeWith(['redis'], 'cache stack with REDIS_URL', () => {
  it('wires L2 under REDIS_KEY_PREFIX and a connected bus', async () => {
    const prefix = uniquePrefix('tiers');
    const config = loadConfig({ REDIS_URL, REDIS_KEY_PREFIX: prefix, REDIS_TIMEOUT: '1s' });
    const a = createCacheStack(config, { instanceId: 'a' });
    const b = createCacheStack(config, { instanceId: 'b' });
    try {
      expect(await (a.bus as RedisBus).waitUntilConnected(5000)).toBe(true);
      expect(await (b.bus as RedisBus).waitUntilConnected(5000)).toBe(true);
      await a.l2!.set('k', 'v', 5000);
      expect(await b.l2!.get('k')).toBe('v');
      const got: unknown[] = [];
      b.bus.subscribe((m) => got.push(m));
      await a.bus.publish({ kind: 'flush' });
      const deadline = Date.now() + 5000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual([{ kind: 'flush' }]);
      expect(await a.l2!.flush()).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('times every command of its Redis connection, by command name, as it happens', async () => {
    const prefix = uniquePrefix('tiers-timed');
    const config = loadConfig({ REDIS_URL, REDIS_KEY_PREFIX: prefix, REDIS_TIMEOUT: '1s' });
    const timed: Array<{ command: string; ms: number }> = [];
    const stack = createCacheStack(config, {
      instanceId: 'timed',
      onRedisCommand: (command, ms) => timed.push({ command, ms }),
    });
    try {
      expect(await (stack.bus as RedisBus).waitUntilConnected(5000)).toBe(true);
      timed.length = 0;
      await stack.l2!.set('k', 'v', 5000);
      expect(await stack.l2!.get('k')).toBe('v');
      expect(await stack.l2!.mget(['k', 'missing'])).toEqual(['v', undefined]);
      await stack.bus.publish({ kind: 'flush' });
      const names = timed.map((t) => t.command);
      for (const name of ['set', 'get', 'mget', 'publish']) expect(names).toContain(name);
      expect(timed.every((t) => t.ms > 0 && t.ms < 1000)).toBe(true);
      expect(await stack.l2!.flush()).toBe(1);
    } finally {
      await stack.close();
    }
  });

  it('PINGs Redis while idle: a Redis that is not there opens the breaker without any cache traffic', async () => {
    const port = await freePort();
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_TIMEOUT: '100ms' });
    const stack = createCacheStack(config, { instanceId: 'idle', heartbeatMs: 100, onRedisError: () => {} });
    try {
      expect(stack.l2!.available).toBe(true);
      await waitUntil(() => stack.breaker!.state === 'open', 5000, 'the breaker opening');
      expect(stack.l2!.available).toBe(false);
    } finally {
      await stack.close();
    }
  });
});
