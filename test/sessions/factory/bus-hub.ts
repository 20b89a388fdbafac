import type { BusMessage, InvalidationBus } from '../../../src/cache/types.js';

/**
 * Connects the buses of the cores a test builds, in-process. `lose()` keeps every bus "connected" but drops what
 * is published (pub/sub losing messages in a failover); `cut()` drops them and tells every bus it is lost.
 */
export class BusHub {
  #losing = false;
  #lostAt: number | undefined;
  #restoredAt = 0;
  readonly #members = new Set<{ handlers: Array<(m: BusMessage) => void>; state: Array<(c: boolean) => void> }>();

  lose(losing = true): void {
    this.#losing = losing;
  }

  cut(): void {
    this.#lostAt = Date.now();
    for (const m of this.#members) for (const l of m.state) l(false);
  }

  restore(): void {
    this.#lostAt = undefined;
    this.#restoredAt = Date.now();
    this.#losing = false;
    for (const m of this.#members) for (const l of m.state) l(true);
  }

  bus(): InvalidationBus {
    const member = { handlers: [] as Array<(m: BusMessage) => void>, state: [] as Array<(c: boolean) => void> };
    this.#members.add(member);
    const lostAt = () => this.#lostAt;
    const restoredAt = () => this.#restoredAt;
    const losing = () => this.#losing;
    const members = () => this.#members;
    return {
      get connected() {
        return lostAt() === undefined;
      },
      get lostAt() {
        return lostAt();
      },
      spansInstances: true,
      get vouchedAt() {
        return lostAt() ?? Date.now();
      },
      get vouchedSince() {
        return restoredAt();
      },
      async publish(message) {
        if (lostAt() !== undefined) throw new Error('bus down (chaos)');
        if (losing()) return;
        for (const other of members())
          if (other !== member) for (const h of other.handlers) h(structuredClone(message));
      },
      subscribe: (handler) => void member.handlers.push(handler),
      onStateChange: (listener) => void member.state.push(listener),
      close: async () => void members().delete(member),
    };
  }
}
