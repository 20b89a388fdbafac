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
  /** Origins (scheme://host[:port], as ALLOWED_ORIGINS normalises them) allowed for cookie-authenticated writes besides the request's own. */
  allowedOrigins: readonly string[];
  /** Debug headers on: time this request's cache/database work for Server-Timing and X-DB-Queries. */
  traceRequests: boolean;
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.length < 8) return undefined;
  const space = header.indexOf(' ');
  return space > 0 && header.slice(0, space).toLowerCase() === 'bearer' ? header.slice(space + 1).trim() : undefined;
}

/**
 * The origin this request was addressed to, as a browser would write it: the scheme and host the client used, which
 * behind a proxy are `X-Forwarded-Proto` / `X-Forwarded-Host` when TRUST_PROXY trusts the peer (Fastify's
 * request.protocol and request.host), else the socket's scheme and the Host header. Undefined without a usable Host.
 */
function ownOrigin(request: FastifyRequest): string | undefined {
  const host = request.host;
  if (!host) return undefined;
  try {
    const url = new URL(`${request.protocol}://${host}`);
    // A Host that is more than host[:port] (user info, a path) names no origin.
    return url.username || url.password || url.pathname !== '/' || url.search || url.hash ? undefined : url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Cross-site request forgery: a cookie-authenticated write must come from our own origin (scheme, host and port)
 * or from one listed in ALLOWED_ORIGINS.
 * - `Sec-Fetch-Site: same-origin` (or `none`: typed by the user) is the browser's own full-origin comparison.
 * - Otherwise an `Origin` must equal this request's origin or an allowed one, exactly (an `https://` page cannot
 *   write to the `http://` service on the same host and port, nor the other way round).
 * - `Sec-Fetch-Site: same-site|cross-site` passes only with an `Origin` in ALLOWED_ORIGINS; neither header means
 *   the caller is not a browser.
 */
function isSameOrigin(request: FastifyRequest, allowed: ReadonlySet<string>): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return site === undefined; // not a browser: browsers send Origin or Sec-Fetch-Site
  let normalised: string;
  try {
    normalised = new URL(origin).origin; // `null` (an opaque origin) does not parse: refused
  } catch {
    return false;
  }
  // A browser that says same-site or cross-site compared the origins itself: only an allowed origin passes then.
  return allowed.has(normalised) || (site === undefined && normalised === ownOrigin(request));
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
  const allowedOrigins: ReadonlySet<string> = new Set(options.allowedOrigins);
  return function authenticate(request: FastifyRequest, _reply?: FastifyReply): SessionEntry | Promise<SessionEntry> {
    let token = bearerToken(request.headers.authorization);
    let viaCookie = false;
    if (token === undefined && request.headers.cookie) {
      token = sessionTokenFromCookie(request.headers.cookie);
      viaCookie = token !== undefined;
    }
    if (token === undefined) throw new TesseraError('unauthenticated');
    if (viaCookie && !SAFE_METHODS.has(request.method) && !isSameOrigin(request, allowedOrigins)) {
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
