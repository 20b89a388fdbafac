import type pg from 'pg';

/** A PostgreSQL pool's clients right now. */
export interface PoolStats {
  /** Clients open (in use + idle). */
  total: number;
  idle: number;
  /** Queries waiting for a client: above 0 for long, the pool is exhausted. */
  waiting: number;
  /** DATABASE_POOL_MAX. */
  max: number;
}

export interface PoolMonitor {
  stats(): PoolStats;
  /** Hears how long each checkout waited for a client (ms), including a new connection's set-up. */
  onAcquire(listener: (ms: number) => void): void;
}

/**
 * Watches a pg Pool: its counts are read when asked; checkouts are timed by wrapping `pool.connect`, which Kysely's
 * driver calls once per query or transaction (pg-pool has no event for "a client was handed out after a wait").
 */
export function monitorPool(pool: pg.Pool, max: number): PoolMonitor {
  const listeners: Array<(ms: number) => void> = [];
  const connect = pool.connect.bind(pool) as (cb?: unknown) => Promise<pg.PoolClient> | undefined;
  const timed = (cb?: unknown): Promise<pg.PoolClient> | undefined => {
    if (cb !== undefined || listeners.length === 0) return connect(cb);
    const start = performance.now();
    return connect()!.then((client) => {
      const ms = performance.now() - start;
      for (const listener of listeners) listener(ms);
      return client;
    });
  };
  (pool as unknown as { connect: typeof timed }).connect = timed;
  return {
    stats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    onAcquire(listener) {
      listeners.push(listener);
    },
  };
}
