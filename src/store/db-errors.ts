import { DependencyError } from '../errors/index.js';

/**
 * Classifies driver errors. A connectivity problem (the database does not answer) becomes
 * DependencyError('database'); everything else (constraint violations, bugs) passes through untouched.
 */

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 57014 statement timeout, 53300 too many connections. */
const PG_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '57014', '53300']);
const PG_CONNECTIVITY_MESSAGES = [
  'connection terminated',
  'timeout exceeded when trying to connect',
  'query read timeout',
  'connection timeout',
  'not queryable',
  'server closed the connection',
];
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|PROTOCOL)/;

export function isConnectivityError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || PG_UNAVAILABLE_CODES.has(code) || SQLITE_UNAVAILABLE.test(code)) return true;
    if (code.startsWith('08')) return true; // pg class 08: connection exception
  }
  const message = error.message.toLowerCase();
  if (PG_CONNECTIVITY_MESSAGES.some((m) => message.includes(m))) return true;
  // AggregateError from net.connect when every address family is refused.
  if (error instanceof AggregateError) return error.errors.some(isConnectivityError);
  return false;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export function toStoreError(error: unknown): unknown {
  if (error instanceof DependencyError) return error;
  return isConnectivityError(error) ? new DependencyError('database', error) : error;
}

/** Runs one database call, turning connectivity failures into DependencyError('database'). */
export async function guardCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStoreError(error);
  }
}

/** Wraps every method of a repository object once with guardCall. */
export function guardRepository<T extends object>(repository: T): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(repository)) {
    guarded[name] =
      typeof value === 'function'
        ? (...args: unknown[]) =>
            guardCall(() => (value as (...a: unknown[]) => Promise<unknown>).apply(repository, args))
        : value;
  }
  return Object.freeze(guarded) as T;
}
