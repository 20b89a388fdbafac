import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('PASSWORD_HASH_CONCURRENCY and the hash queue', () => {
  it('defaults to the available cores, with a bounded queue', () => {
    const config = loadConfig({});
    expect(config.passwordHashConcurrency).toBe(availableParallelism());
    expect(config.passwordHashQueueMax).toBe(128);
    expect(config.passwordHashQueueWait).toBe(1000);
  });

  it('reads `cores`, a count, and refuses anything else naming the variable', () => {
    expect(loadConfig({ PASSWORD_HASH_CONCURRENCY: 'cores' }).passwordHashConcurrency).toBe(availableParallelism());
    expect(loadConfig({ PASSWORD_HASH_CONCURRENCY: '3' }).passwordHashConcurrency).toBe(3);
    for (const bad of ['0', 'all', '1.5', '-2'])
      expect(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: 'many' })).toThrow(/PASSWORD_HASH_CONCURRENCY.*cores/);
  });
});
