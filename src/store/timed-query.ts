/** Receives every timed query (metrics). */
export interface QueryObserver {
  dbOp?(op: string, seconds: number): void;
}

/**
 * Times one named database operation into the metrics (the database-latency histogram by operation). The request's
 * own count and time of queries are kept by the store itself (trace-context.ts), for every query of every route.
 */
export async function timedQuery<T>(observer: QueryObserver, op: string, run: () => Promise<T>): Promise<T> {
  if (observer.dbOp === undefined) return run();
  const start = performance.now();
  try {
    return await run();
  } finally {
    observer.dbOp(op, (performance.now() - start) / 1000);
  }
}
