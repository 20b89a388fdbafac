import type { FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from '../errors/index.js';
import type { SessionValidator } from '../sessions/validate-session.js';
import { newTrace, type SessionEntry } from '../sessions/types.js';
import { sessionTokenFromCookie } from './cookies.js';

export { SESSION_COOKIE } from './cookies.js';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    session: SessionEntry | undefined;
  }
}

export interface AuthenticateOptions {
  validate: SessionValidator;
  /** Origins (scheme://host[:port]) allowed for cookie-authenticated writes besides the request's own host. */
  allowedOrigins: readonly string[];
  /** Debug headers on: time this request's cache/database work for Server-Timing and X-DB-Queries. */
  traceRequests: boolean;
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8) return undefined;
  const space = header.indexOf(' ');
  return space > 0 && header.slice(0, space).toLowerCase() === 'bearer' ? header.slice(space + 1).trim() : undefined;
}

/** Cross-site request forgery: a cookie-authenticated write must come from our own origin. */
function isSameOrigin(request: FastifyRequest, allowed: readonly string[]): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin' || site === 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return true; // not a browser: browsers send Origin (or Sec-Fetch-Site) on cross-origin writes
  try {
    const url = new URL(origin);
    return url.host === request.headers.host || allowed.includes(url.origin);
  } catch {
    return false;
  }
}

const found = (request: FastifyRequest, entry: SessionEntry | undefined): SessionEntry => {
  if (!entry) throw new TesseraError('unauthenticated', 'The session is invalid or has expired.');
  request.session = entry;
  return entry;
};

/**
 * Resolves the caller's session from `Authorization: Bearer` or the session cookie; 401 when there is none.
 * A session in L1 comes back synchronously (a value, not a promise): on the hot path every promise and
 * microtask shows in the benchmark. Callers `await` it either way.
 */
export function createAuthenticate(options: AuthenticateOptions) {
  return function authenticate(request: FastifyRequest, _reply?: FastifyReply): SessionEntry | Promise<SessionEntry> {
    let token = bearerToken(request.headers.authorization);
    let viaCookie = false;
    if (token === undefined && request.headers.cookie) {
      token = sessionTokenFromCookie(request.headers.cookie);
      viaCookie = token !== undefined;
    }
    if (token === undefined) throw new TesseraError('unauthenticated');
    if (viaCookie && !SAFE_METHODS.has(request.method) && !isSameOrigin(request, options.allowedOrigins)) {
      throw new TesseraError('forbidden', 'Cross-site request refused (CSRF protection).');
    }
    if (options.traceRequests) request.trace ??= newTrace();
    const entry = options.validate(token, request.trace);
    return entry instanceof Promise ? entry.then((e) => found(request, e)) : found(request, entry);
  };
}

export type Authenticate = ReturnType<typeof createAuthenticate>;

/** The preHandler of every admin route: 401 without a session, 403 without the admin role; sets request.session. */
export type RequireAdmin = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export function createRequireAdmin(authenticate: Authenticate): RequireAdmin {
  return async function requireAdmin(request, reply) {
    const entry = await authenticate(request, reply);
    if (!entry.user.roles.includes('admin')) throw new TesseraError('forbidden', 'The admin role is required.');
  };
}
