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
 * cold path (validate-session.ts). With debug headers off it is never entered.
 *
 * On Node 20 an entered AsyncLocalStorage switches on async-hook tracking for the whole process: every promise of
 * every request (the L1 hot path's too) pays for it. So the storage is enabled only while a traced request is in
 * flight: each enter is matched by a leave, and the last leave disables it again (a request served while none
 * is in flight runs without any hook).
 */
const storage = new AsyncLocalStorage<DependencyTrace>();
let inFlight = 0;

/**
 * Runs `fn` (and everything it awaits) with `trace` as the current request's trace, until `leaveTrace()` is
 * called once for it (when the request's response is sent).
 */
export function enterTrace<T>(trace: DependencyTrace, fn: () => T): T {
  inFlight++;
  return storage.run(trace, fn);
}

/** The request entered with `enterTrace` is done; the last one out switches async context tracking off. */
export function leaveTrace(): void {
  if (inFlight > 0 && --inFlight === 0) storage.disable();
}

/** Traced requests in flight (0: async context tracking is off). */
export const tracesInFlight = (): number => inFlight;

/** Runs `fn` with `trace` as the current trace until the promise it returns settles. */
export function runWithTrace<T>(trace: DependencyTrace, fn: () => Promise<T>): Promise<T> {
  return enterTrace(trace, fn).finally(leaveTrace);
}

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
