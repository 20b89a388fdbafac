/** Where one request's database time and query count add up (the debug headers report them). */
export interface QueryTrace {
  dbMs: number;
  dbQueries: number;
}

/** Receives every timed query (metrics). */
export interface QueryObserver {
  dbOp?(op: string, seconds: number): void;
}

/** Times one database round trip into the request trace and the metrics. */
export async function timedQuery<T>(
  observer: QueryObserver,
  op: string,
  trace: QueryTrace | undefined,
  run: () => Promise<T>,
): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    const ms = performance.now() - start;
    observer.dbOp?.(op, ms / 1000);
    if (trace) {
      trace.dbMs += ms;
      trace.dbQueries += 1;
    }
  }
}
