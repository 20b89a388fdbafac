import { currentTrace } from '../store/trace-context.js';

/** Where the Redis connections report each command's round trip: the request's trace, then the listeners (metrics). */
export interface RedisTiming {
  /** Pass as a connection's `onCommand`. */
  readonly record: (command: string, ms: number) => void;
  /** Hears every command (the observer is built after the cache layer that sends the first ones). */
  listen(listener: (command: string, ms: number) => void): void;
}

export function createRedisTiming(): RedisTiming {
  const listeners: Array<(command: string, ms: number) => void> = [];
  return {
    record(command, ms) {
      const trace = currentTrace();
      if (trace !== undefined) trace.redisMs += ms;
      for (const listener of listeners) listener(command, ms);
    },
    listen(listener) {
      listeners.push(listener);
    },
  };
}
