// cluster-key-slot (ioredis' own slot function) ships no types; only what the INFO poller uses is declared.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0-16383) of a key, hash tags included. */
  export default function calculateSlot(key: string | Buffer): number;
}
