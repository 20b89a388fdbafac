import type { Cluster, Worker } from 'node:cluster';
import { isBusMessage } from './bus-state.js';
import type { BusMessage, InvalidationBus } from './types.js';

/** Marks IPC messages that belong to the bus, so other uses of the channel pass untouched. */
const TYPE = 'tessera:bus';

interface BusPacket {
  type: typeof TYPE;
  from: string;
  message: BusMessage;
}

/** The worker side of the IPC channel (process in a node:cluster worker). */
export interface IpcChannel {
  send?: (
    message: unknown,
    sendHandle?: undefined,
    options?: undefined,
    callback?: (error: Error | null) => void,
  ) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

const isBusPacket = (value: unknown): value is BusPacket =>
  !!value &&
  typeof value === 'object' &&
  (value as BusPacket).type === TYPE &&
  typeof (value as BusPacket).from === 'string' &&
  isBusMessage((value as BusPacket).message);

/**
 * Bus for `tessera serve --workers N` in embedded mode: a worker sends its message to the node:cluster
 * primary, which relays it to every other worker (relayBusMessagesInPrimary). IPC between a primary
 * and its workers cannot silently drop messages while they live, so the bus is always connected.
 */
export function createClusterIpcBus(options: { instanceId: string; channel?: IpcChannel }): InvalidationBus {
  const channel = options.channel ?? process;
  const handlers: Array<(message: BusMessage) => void> = [];
  const onMessage = (packet: unknown): void => {
    if (!isBusPacket(packet) || packet.from === options.instanceId) return;
    for (const handler of handlers) {
      try {
        handler(packet.message);
      } catch {
        // One faulty handler must not starve the others.
      }
    }
  };
  channel.on('message', onMessage);

  return {
    connected: true,
    lostAt: undefined,
    spansInstances: true,
    vouchedSince: 0,
    get vouchedAt() {
      return Date.now(); // IPC through the primary loses nothing while the processes live
    },
    publish(message) {
      const packet: BusPacket = { type: TYPE, from: options.instanceId, message };
      // Without an IPC channel this is the only process: nobody to tell.
      if (!channel.send) return Promise.resolve();
      return new Promise((resolve) => {
        channel.send!(packet, undefined, undefined, () => resolve());
      });
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    onStateChange() {},
    async close() {
      channel.off('message', onMessage);
      handlers.length = 0;
    },
  };
}

/** Primary side: relays every bus message from one worker to all the others. Returns a function that stops relaying. */
export function relayBusMessagesInPrimary(cluster: Pick<Cluster, 'on' | 'off' | 'workers'>): () => void {
  const relay = (sender: Worker, packet: unknown): void => {
    if (!isBusPacket(packet)) return;
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker || worker === sender || !worker.isConnected()) continue;
      worker.send(packet, undefined, () => {}); // a worker exiting meanwhile is not an error
    }
  };
  cluster.on('message', relay);
  return () => {
    cluster.off('message', relay);
  };
}
