import type { BusMessage } from './types.js';

/** Connection state shared by the bus implementations: keeps the FIRST loss moment until restored. */
export interface BusState {
  readonly connected: boolean;
  readonly lostAt: number | undefined;
  readonly listeners: Array<(connected: boolean) => void>;
  /** Marks the bus lost as of `at` (epoch ms); a later loss before restore() keeps the earlier moment. */
  lose(at: number): void;
  restore(): void;
  waitUntilConnected(timeoutMs: number): Promise<boolean>;
}

export function createBusState(initiallyConnected: boolean): BusState {
  let connected = initiallyConnected;
  // Until the first connection, nothing published elsewhere is known to have reached us.
  let lostAt: number | undefined = initiallyConnected ? undefined : Date.now();
  const listeners: Array<(connected: boolean) => void> = [];
  const waiters = new Set<() => void>();

  const notify = (value: boolean): void => {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch {
        // A listener's bug must not stop the others from hearing about the change.
      }
    }
  };

  return {
    get connected() {
      return connected;
    },
    get lostAt() {
      return lostAt;
    },
    listeners,
    lose(at) {
      lostAt = lostAt === undefined ? at : Math.min(lostAt, at);
      if (!connected) return;
      connected = false;
      notify(false);
    },
    restore() {
      if (connected) return;
      connected = true;
      lostAt = undefined;
      for (const wake of waiters) wake();
      notify(true);
    },
    waitUntilConnected(timeoutMs) {
      if (connected) return Promise.resolve(true);
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(connected);
        };
        const timer = setTimeout(wake, timeoutMs);
        waiters.add(wake);
      });
    },
  };
}

const KINDS = new Set(['revisions', 'flush', 'custom']);

interface Envelope {
  from: string;
  message: BusMessage;
}

export const encodeEnvelope = (from: string, message: BusMessage): string => JSON.stringify({ from, message });

/** Parses a message off the wire; anything not shaped like a BusMessage is dropped (undefined). */
export function decodeEnvelope(raw: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const { from, message } = parsed as Partial<Envelope>;
  if (typeof from !== 'string' || !isBusMessage(message)) return undefined;
  return { from, message };
}

const isRevisionArray = (value: unknown): boolean =>
  Array.isArray(value) &&
  value.every((v: unknown) => {
    const r = v as Record<string, unknown> | null;
    return r !== null && typeof r === 'object' && typeof r.id === 'string' && Number.isSafeInteger(r.revision);
  });

export function isBusMessage(value: unknown): value is BusMessage {
  if (!value || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  if (typeof m.kind !== 'string' || !KINDS.has(m.kind)) return false;
  switch (m.kind) {
    case 'revisions':
      return isRevisionArray(m.revisions);
    case 'custom':
      return typeof m.topic === 'string';
    default:
      return true;
  }
}
