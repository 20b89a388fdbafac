import { describe, expect, it } from 'vitest';
import type { RedisBus } from '../../src/cache/bus-redis.js';
import { createCacheTiers } from '../../src/cache/tiers.js';
import { loadConfig } from '../../src/config/index.js';
import { REDIS_URL, describeWith, uniquePrefix } from '../helpers/services.js';

describe('cache tiers in embedded mode', () => {
  it('has no L2 and a single-process bus', async () => {
    const tiers = createCacheTiers(loadConfig({}), { instanceId: 'solo' });
    expect(tiers.l2).toBeUndefined();
    expect(tiers.breaker).toBeUndefined();
    expect(tiers.bus.connected).toBe(true);
    await tiers.close();
  });
});

describeWith(['redis'], 'cache tiers with REDIS_URL', () => {
  it('wires L2 under REDIS_KEY_PREFIX and a connected bus', async () => {
    const prefix = uniquePrefix('tiers');
    const config = loadConfig({ REDIS_URL, REDIS_KEY_PREFIX: prefix, REDIS_TIMEOUT: '1s' });
    const a = createCacheTiers(config, { instanceId: 'a' });
    const b = createCacheTiers(config, { instanceId: 'b' });
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
});
