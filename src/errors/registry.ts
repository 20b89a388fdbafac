/** The one registry of error codes Tessera answers with: HTTP status and the default message. */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is invalid.' },
  unauthenticated: { status: 401, message: 'A valid session is required.' },
  invalid_credentials: { status: 401, message: 'Email or password is incorrect.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  not_found: { status: 404, message: 'Not found.' },
  email_taken: { status: 409, message: 'An account with this email already exists.' },
  version_conflict: { status: 409, message: 'The session data changed since you read it.' },
  loadtest_running: {
    status: 409,
    message: 'A load test is already running on this instance. Stop it or wait for it to end.',
  },
  loadtest_not_finished: { status: 409, message: 'This load test is still running: its report is not ready yet.' },
  target_not_allowed: {
    status: 403,
    message: 'This load-test target is not allowed: only this server and the hosts in LOADTEST_ALLOW_HOSTS.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send JSON with Content-Type: application/json.' },
  rate_limited: { status: 429, message: 'Too many requests. Try again later.' },
  locked_out: { status: 429, message: 'Too many failed attempts. Try again later.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
  unavailable: { status: 503, message: 'A dependency is unavailable. Try again shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldProblem {
  field: string;
  message: string;
}

/** The only error type routes and services throw on purpose; the HTTP layer maps it to the JSON shape. */
export class TesseraError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly extra: { details?: FieldProblem[]; retryAfterSec?: number; headers?: Record<string, string> } = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'TesseraError';
    this.status = ERRORS[code].status;
  }
}

/** Thrown by store and cache adapters when their dependency does not answer; maps to 503. */
export class DependencyError extends TesseraError {
  constructor(
    readonly dependency: 'database' | 'redis',
    cause?: unknown,
  ) {
    super('unavailable', `The ${dependency} is unavailable. Try again shortly.`, { retryAfterSec: 5 });
    this.name = 'DependencyError';
    this.cause = cause;
  }
}

/**
 * Load shedding: too many password hashes are already waiting, so this one is refused at once rather than queued.
 * The one 503 not caused by a dependency.
 */
export class OverloadedError extends TesseraError {
  constructor(retryAfterSec: number) {
    super('unavailable', 'Too many logins at once. Try again shortly.', { retryAfterSec });
    this.name = 'OverloadedError';
  }
}

export const isTesseraError = (e: unknown): e is TesseraError => e instanceof TesseraError;
