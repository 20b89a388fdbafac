import type { InvalidationBus } from './types.js';

/**
 * The bus of a single embedded process: there is no other instance to tell, and a bus never hands an
 * instance its own messages, so publish is a no-op and the bus is always connected.
 */
export function createLocalBus(): InvalidationBus {
  return {
    connected: true,
    lostAt: undefined,
    spansInstances: false,
    vouchedSince: 0,
    get vouchedAt() {
      return Date.now();
    },
    publish: async () => {},
    subscribe: () => {},
    onStateChange: () => {},
    close: async () => {},
  };
}
