import { ioredis } from './ioredis.js';
import { DependencyError } from '../errors/index.js';
import { createBusState, decodeEnvelope, encodeEnvelope } from './bus-state.js';
import type { RedisConnection } from './redis-client.js';
import type { BusMessage, InvalidationBus } from './types.js';

export interface RedisBusOptions {
  /** The one pub/sub channel every instance shares (e.g. `tss:bus`). */
  channel: string;
  /** Unique per process; messages carrying it are this instance's own and are not handed to subscribers. */
  instanceId: string;
  /** How often this instance publishes a heartbeat to itself through Redis. */
  heartbeatMs?: number;
  /** No heartbeat back for this long → the bus is lost (covers a frozen Redis and Cluster subscriber failover). */
  heartbeatTimeoutMs?: number;
}

export interface RedisBus extends InvalidationBus {
  /** Resolves true once connected (subscribed and its own heartbeat came back), false after `timeoutMs`. */
  waitUntilConnected(timeoutMs: number): Promise<boolean>;
}

/**
 * Invalidation bus on Redis pub/sub (Cluster PUBLISH broadcasts to every node, so it works there too).
 * `connected` means proven end to end: the subscriber is subscribed and a heartbeat this instance
 * published came back through Redis. A closed subscriber connection marks the bus lost at once; a
 * frozen Redis or a silently dead path is caught when heartbeats stop coming back.
 */
export function createRedisBus(
  commandRedis: RedisConnection,
  subscriberRedis: RedisConnection,
  options: RedisBusOptions,
): RedisBus {
  const { channel, instanceId } = options;
  const heartbeatChannel = `${channel}:hb:${instanceId}`;
  // Frequent heartbeats keep `vouchedAt` recent (caches trust it); the loss timeout stays long so load cannot flap it.
  const heartbeatMs = options.heartbeatMs ?? 250;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? Math.max(3 * heartbeatMs, 3000);
  const state = createBusState(false);
  const handlers: Array<(message: BusMessage) => void> = [];
  /** Send time of the newest heartbeat that came back: the last moment the path was known to work. */
  let lastEchoSentAt = 0;
  let lastEchoAt = 0;
  let subscribed = false;
  /** When delivery became unbroken: the current subscription, or the heartbeat that ended the last silence. */
  let subscribedAt = Infinity;
  let silenced = false;
  let closed = false;

  const sendHeartbeat = (): void => {
    if (closed) return;
    commandRedis.publish(heartbeatChannel, String(Date.now())).catch(() => {});
  };

  const subscribe = async (): Promise<void> => {
    try {
      await subscriberRedis.subscribe(channel, heartbeatChannel);
      subscribed = true;
      subscribedAt = Date.now();
      sendHeartbeat();
    } catch {
      // Not connected yet: `ready` calls us again.
    }
  };

  const onLost = (): void => {
    subscribed = false;
    subscribedAt = Infinity;
    state.lose(Date.now());
  };

  const onMessage = (from: string, raw: string): void => {
    if (from === heartbeatChannel) {
      const sentAt = Number(raw);
      lastEchoAt = Date.now();
      if (sentAt > lastEchoSentAt) lastEchoSentAt = sentAt;
      // After a silence (a frozen Redis) what was published meanwhile may never come: coverage restarts here.
      if (silenced) subscribedAt = Math.max(subscribedAt, sentAt);
      silenced = false;
      if (subscribed) state.restore();
      return;
    }
    if (from !== channel) return;
    const envelope = decodeEnvelope(raw);
    if (!envelope || envelope.from === instanceId) return;
    for (const handler of handlers) {
      try {
        handler(envelope.message);
      } catch {
        // One faulty handler must not starve the others.
      }
    }
  };

  const onError = (): void => {};
  subscriberRedis.on('message', onMessage);
  const onReady = (): void => void subscribe();
  subscriberRedis.on('ready', onReady);
  subscriberRedis.on('error', onError);
  if (subscriberRedis instanceof ioredis().Redis) {
    subscriberRedis.on('close', onLost);
    subscriberRedis.on('end', onLost);
  }
  if (subscriberRedis.status === 'ready') void subscribe();

  const timer = setInterval(() => {
    if (state.connected && Date.now() - lastEchoAt > heartbeatTimeoutMs) {
      silenced = true;
      state.lose(lastEchoSentAt);
    }
    sendHeartbeat();
  }, heartbeatMs);
  timer.unref();

  return {
    get connected() {
      return state.connected;
    },
    get lostAt() {
      return state.lostAt;
    },
    spansInstances: true,
    get vouchedAt() {
      return lastEchoSentAt;
    },
    get vouchedSince() {
      return subscribedAt;
    },
    async publish(message) {
      try {
        await commandRedis.publish(channel, encodeEnvelope(instanceId, message));
      } catch (error) {
        throw new DependencyError('redis', error);
      }
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    onStateChange(listener) {
      state.listeners.push(listener);
    },
    waitUntilConnected: (timeoutMs) => state.waitUntilConnected(timeoutMs),
    async close() {
      closed = true;
      clearInterval(timer);
      subscriberRedis.off('message', onMessage);
      subscriberRedis.off('ready', onReady);
      subscriberRedis.off('close', onLost);
      subscriberRedis.off('end', onLost);
      // Best effort and bounded: on a lost connection the command would wait in the offline queue.
      if (state.connected && subscriberRedis.status === 'ready') {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          subscriberRedis.unsubscribe(channel, heartbeatChannel).catch(() => {}),
          new Promise((resolve) => {
            timer = setTimeout(resolve, 250);
          }),
        ]);
        clearTimeout(timer);
      }
      subscriberRedis.off('error', onError);
      handlers.length = 0;
      state.listeners.length = 0;
    },
  };
}
