/** Tessera could not be asked (unreachable, too slow, or answering 5xx): the token is unchecked, not invalid. */
export class TesseraUnavailableError extends Error {
  readonly code = 'unavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TesseraUnavailableError';
  }
}

/** The one error shape Tessera answers with, used by the middlewares for 401 and 503. */
export const errorBody = (code: 'unauthenticated' | 'unavailable', message: string): string =>
  JSON.stringify({ error: { code, message } });

export const UNAUTHENTICATED = errorBody('unauthenticated', 'A valid session is required.');
export const UNAVAILABLE = errorBody('unavailable', 'Sessions cannot be checked right now. Try again shortly.');
