import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TesseraError } from '../../errors/index.js';
import type { LimitDecision } from '../../security/limiter.js';
import type { Protection } from '../../security/protection.js';
import type { ReputationVerdict } from '../../security/reputation.js';
import { RateLimits, rateLimitHeaders, type LimitKind } from '../../security/rate-limits.js';
import { SESSION_COOKIE } from '../cookies.js';
import { onEveryResponse, type ResponseWriter } from '../on-every-response.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client address per TRUST_PROXY (canonical form); what every protection keys by. */
    clientIp: string;
  }
}

export interface SecurityPluginOptions {
  protection: Protection;
}

/** Paths (GET/HEAD) nothing limits or refuses: probes and scrapers must see the truth even under attack. */
const UNGUARDED_PATHS = new Set(['/health', '/ready', '/metrics']);
const VALIDATION_PATH = '/v1/auth/session';
const ROUTE_LIMITS: ReadonlyMap<string, LimitKind> = new Map([
  ['POST /v1/auth/login', 'login'],
  ['POST /v1/auth/signup', 'signup'],
]);

/**
 * The protection layer as Fastify hooks: one onRequest hook (client IP, deny/allow lists, bans, reputation, spike
 * counting, per-IP and per-route rate limits) and the security headers on every response (precomputed). With
 * PROTECTION_ENABLED=false only the client IP and the headers remain.
 */
async function securityPlugin(app: FastifyInstance, { protection }: SecurityPluginOptions): Promise<void> {
  const { clientIp, headers } = protection;
  const validationLimited = protection.config.rateLimitValidation;
  app.decorateRequest('clientIp', '');

  // Callback-style hooks: the validation hot path finishes synchronously (no promise per request).
  app.addHook('onRequest', (request, reply, done) => {
    const ip = clientIp(request.socket.remoteAddress, request.headers['x-forwarded-for']);
    request.clientIp = ip;
    if (!protection.enabled) return done();
    const url = request.routeOptions.url;
    if (url !== undefined && UNGUARDED_PATHS.has(url) && (request.method === 'GET' || request.method === 'HEAD'))
      return done();
    if (protection.denylist.contains(ip)) {
      protection.events.decision('denylist', 'refused');
      return done(new TesseraError('forbidden'));
    }
    // Allow-listed addresses are never banned, throttled or limited: an operator behind one can always get in.
    if (protection.allowlist.contains(ip)) return done();
    if (protection.bans.isBanned(ip)) {
      protection.events.decision('ban', 'refused');
      return done(new TesseraError('forbidden'));
    }
    const validation = url === VALIDATION_PATH && request.method === 'GET' && !validationLimited;
    const verdict = protection.reputation.verdict(ip);
    if (!(verdict instanceof Promise)) {
      const refusal = refuseByReputation(protection, ip, verdict);
      if (refusal || validation) return done(refusal);
      limit(protection, request, reply, ip, verdict.throttled).then(() => done(), done);
      return;
    }
    verdict
      .then((v) => {
        const refusal = refuseByReputation(protection, ip, v);
        if (refusal || validation) return done(refusal);
        return limit(protection, request, reply, ip, v.throttled).then(() => done());
      })
      .catch(done);
  });

  onEveryResponse(app, securityHeadersWriter(headers));
}

/** Precomputed header sets for the common case (JSON without its own CSP or Cache-Control): one call per response. */
function securityHeadersWriter(headers: Protection['headers']): ResponseWriter {
  const forJson = Object.freeze({ ...headers.always, 'content-security-policy': headers.jsonCsp });
  const forApiJson = Object.freeze({ ...forJson, 'cache-control': headers.noStore });
  return (request, response) => {
    const type = response.getHeader('content-type');
    const isHtml = typeof type === 'string' && type.startsWith('text/html');
    if (!isHtml && !response.hasHeader('content-security-policy') && !response.hasHeader('cache-control')) {
      response.headers(request.url.startsWith('/v1/') ? forApiJson : forJson);
    } else {
      response.headers(headers.always);
      if (!isHtml && !response.hasHeader('content-security-policy'))
        response.header('content-security-policy', headers.jsonCsp);
      if (!response.hasHeader('cache-control') && request.url.startsWith('/v1/'))
        response.header('cache-control', headers.noStore);
    }
    if (!headers.tls && request.protocol === 'https') response.header('strict-transport-security', headers.hsts);
  };
}

function refuseByReputation(protection: Protection, ip: string, verdict: ReputationVerdict): TesseraError | undefined {
  if (!verdict.refused) return undefined;
  protection.events.decision('reputation', 'refused');
  protection.events.record({
    type: 'reputation_refused',
    ip,
    action: 'refuse',
    details: { score: Math.floor(verdict.score) },
  });
  return rateLimited({ 'retry-after': String(verdict.retryAfterSec) }, verdict.retryAfterSec);
}

/** Spike counting, then the per-IP limit (or the throttled one) and the route's own limit, in parallel. */
async function limit(
  protection: Protection,
  request: FastifyRequest,
  reply: FastifyReply,
  ip: string,
  throttled: boolean,
): Promise<void> {
  protection.anomalies.onRequest(ip);
  if (!protection.config.protectionFeatures.rateLimits) return;
  const routeKind =
    request.routeOptions.url === undefined
      ? undefined
      : ROUTE_LIMITS.get(`${request.method} ${request.routeOptions.url}`);
  const ipKind: LimitKind = throttled ? 'throttled' : 'ip';
  const decisions = await Promise.all(
    routeKind
      ? [protection.limits.consume(ipKind, ip), protection.limits.consume(routeKind, ip)]
      : [protection.limits.consume(ipKind, ip)],
  );
  protection.events.decision(ipKind, decisions[0].allowed ? 'allowed' : 'refused');
  if (routeKind) protection.events.decision(routeKind, decisions[1]!.allowed ? 'allowed' : 'refused');
  applyDecision(protection, request, reply, RateLimits.tightest(decisions), ip);
}

interface AuthenticatedEntry {
  user: { id: string; tenant?: string };
  session: { id: string; ip: string | null; userAgent: string | null };
}

/**
 * Wraps the app's `authenticate`: every authenticated route then counts against the per-user limit and checks
 * whether the session is used from a very different client than the one that opened it. Session validation is
 * left alone (unless RATE_LIMIT_VALIDATION is on): it stays free of Redis round trips, and its caller is usually
 * the application's backend, not the browser that logged in.
 */
export function withProtection<E extends AuthenticatedEntry>(
  protection: Protection,
  authenticate: (request: FastifyRequest, reply?: FastifyReply) => E | Promise<E>,
): (request: FastifyRequest, reply?: FastifyReply) => E | Promise<E> {
  if (!protection.enabled) return authenticate;
  const limitValidation = protection.config.rateLimitValidation;
  /** Token spraying: every presented token that opens no session counts against the client address. */
  const countRefused = (request: FastifyRequest, error: unknown): never => {
    if (error instanceof TesseraError && error.code === 'unauthenticated' && presentsToken(request))
      protection.anomalies.onInvalidToken(request.clientIp);
    throw error;
  };
  // A session found in L1 comes back as a value, as before; only a refusal or a cold load pays for the counting.
  const authenticateCounted = (request: FastifyRequest, reply?: FastifyReply): E | Promise<E> => {
    let entry: E | Promise<E>;
    try {
      entry = authenticate(request, reply);
    } catch (error) {
      return countRefused(request, error);
    }
    return entry instanceof Promise ? entry.catch((error: unknown) => countRefused(request, error)) : entry;
  };
  const authenticateAndProtect = async (request: FastifyRequest, reply?: FastifyReply): Promise<E> => {
    const entry = await authenticateCounted(request, reply);
    const current = { ip: request.clientIp, userAgent: request.headers['user-agent'] ?? null };
    const created = { ip: entry.session.ip, userAgent: entry.session.userAgent };
    void protection.anomalies
      .onSessionUse(created, current, { userId: entry.user.id, sessionId: entry.session.id, tenant: entry.user.tenant })
      .catch(() => {});
    await enforceUserLimit(protection, request, reply, entry.user.id);
    return entry;
  };
  // Validation skips the per-user limit and the client check: an L1 hit costs one function call more, no promise.
  return (request, reply) =>
    !limitValidation && request.method === 'GET' && request.routeOptions.url === VALIDATION_PATH
      ? authenticateCounted(request, reply)
      : authenticateAndProtect(request, reply);
}

/** A refusal counts as a bad token only when one was presented (a bearer header or the session cookie). */
const presentsToken = (request: FastifyRequest): boolean =>
  request.headers.authorization !== undefined || (request.headers.cookie?.includes(`${SESSION_COOKIE}=`) ?? false);

/**
 * The per-user limit. Call it where the request's user becomes known (the authentication preHandler), after the
 * session was validated: `await enforceUserLimit(protection, request, reply, user.id)`. Throws 429 rate_limited.
 */
export async function enforceUserLimit(
  protection: Protection,
  request: FastifyRequest,
  reply: FastifyReply | undefined,
  userId: string,
): Promise<void> {
  if (
    !protection.enabled ||
    !protection.config.protectionFeatures.rateLimits ||
    protection.allowlist.contains(request.clientIp)
  )
    return;
  const decision = await protection.limits.consume('user', userId);
  protection.events.decision('user', decision.allowed ? 'allowed' : 'refused');
  applyDecision(protection, request, reply, decision, request.clientIp, userId);
}

function applyDecision(
  protection: Protection,
  _request: FastifyRequest,
  reply: FastifyReply | undefined,
  decision: LimitDecision,
  ip: string,
  userId?: string,
): void {
  const headers = rateLimitHeaders(decision);
  reply?.headers(headers);
  if (decision.allowed) return;
  protection.rateLimitPenalties.penalise(ip);
  protection.events.record({
    type: 'rate_limited',
    ip,
    userId,
    action: 'refuse',
    details: { limit: decision.limit, windowSec: decision.windowSec },
  });
  throw rateLimited(headers, Math.max(1, Math.ceil(decision.resetMs / 1000)));
}

function rateLimited(headers: Record<string, string>, retryAfterSec: number): TesseraError {
  return new TesseraError('rate_limited', undefined, { retryAfterSec, headers });
}

export default fp(securityPlugin, { name: 'tessera-security', fastify: '5.x' });
