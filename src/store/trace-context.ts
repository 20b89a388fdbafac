import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogEvent } from 'kysely';

/** What one request spent on its dependencies; the debug headers (Server-Timing db/redis, X-DB-Queries) report it. */
export interface DependencyTrace {
  dbMs: number;
  dbQueries: number;
  redisMs: number;
}

/**
 * The trace of the request being served, carried across awaits. Entered only where a request is traced (debug
 * headers on) and is not answered from L1: routes other than validation (response-headers.ts), and validation's
 * cold path (validate-session.ts). With debug headers off it is never entered, so async context tracking stays
 * off in the process.
 */
const storage = new AsyncLocalStorage<DependencyTrace>();

/** Runs `fn` (and everything it awaits) with `trace` as the current request's trace. */
export const runWithTrace = <T>(trace: DependencyTrace, fn: () => T): T => storage.run(trace, fn);

/** The current request's trace, if one was entered. */
export const currentTrace = (): DependencyTrace | undefined => storage.getStore();

/**
 * Kysely's `log` hook: every query (or failed query) run by the store adds its round trip to the current request's
 * trace. The one place queries are counted, whichever repository or route ran them.
 */
export function countQuery(event: LogEvent): void {
  const trace = storage.getStore();
  if (trace === undefined) return;
  trace.dbMs += event.queryDurationMillis;
  trace.dbQueries += 1;
}
