import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { NoContent, responses } from '../schemas.js';
import type { RouteGroup } from '../route-group.js';
import { parseDuration } from '../../config/index.js';
import { TesseraError } from '../../errors/index.js';
import { normaliseIp } from '../../security/cidr-lists.js';

const DEFAULT_BAN_TTL_MS = 86_400_000;
const MAX_BAN_TTL_MS = 365 * 86_400_000;

const EventsQuery = Type.Object(
  {
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_.:-]+$' })),
    since: Type.Optional(
      Type.String({ minLength: 1, maxLength: 40, description: 'epoch milliseconds or an ISO 8601 time' }),
    ),
    // Query strings are not coerced (the app validates them as sent): digits, 1 to 1000.
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1 to 1000, default 100' })),
  },
  { additionalProperties: false },
);
const BanBody = Type.Object(
  {
    ip: Type.String({ minLength: 2, maxLength: 64 }),
    ttl: Type.Optional(
      Type.Union([
        Type.Integer({ minimum: 1, maximum: MAX_BAN_TTL_MS / 1000, description: 'seconds' }),
        Type.String({ maxLength: 16, description: 'duration such as 30m, 1d' }),
      ]),
    ),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const IpParams = Type.Object({ ip: Type.String({ minLength: 2, maxLength: 64 }) });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const EventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  tenant: Nullable(Type.String()),
  userId: Nullable(Type.String()),
  sessionId: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.Number({ description: 'epoch ms' }),
});
const BanSchema = Type.Object({
  ip: Type.String(),
  reason: Type.String(),
  createdAt: Type.Number({ description: 'epoch ms' }),
  expiresAt: Nullable(Type.Number({ description: 'epoch ms' })),
  createdBy: Nullable(Type.String()),
});
const tags = ['admin'];

/** The acting admin's user id (recorded with bans); requireAdmin has set the session. */
const actorOf = (request: FastifyRequest): string | undefined => request.session?.user.id;

/** GET /v1/admin/security/events, GET|POST /v1/admin/security/bans, DELETE /v1/admin/security/bans/:ip (with a protection layer). */
export const adminSecurityRoutes: RouteGroup = async (app, { deps, requireAdmin }) => {
  const { protection } = deps;
  if (!protection) return;
  const audit = deps.store.audit;

  app.get(
    '/v1/admin/security/events',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'The audit and security log, newest first',
        querystring: EventsQuery,
        response: responses({ 200: Type.Object({ events: Type.Array(EventSchema) }) }, [400, 401, 403]),
      },
    },
    async (request) => {
      const { query } = request;
      const since = query.since === undefined ? undefined : parseSince(query.since);
      const limit = query.limit === undefined ? 100 : Number(query.limit);
      if (limit < 1 || limit > 1000) throw invalid('limit', 'must be between 1 and 1000');
      const events = await audit.query({ type: query.type, since, limit });
      return { events };
    },
  );

  app.get(
    '/v1/admin/security/bans',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Active IP bans',
        response: responses({ 200: Type.Object({ bans: Type.Array(BanSchema) }) }, [401, 403]),
      },
    },
    async () => ({ bans: protection.bans.list() }),
  );

  app.post(
    '/v1/admin/security/bans',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: 'Ban an IP on every instance at once',
        body: BanBody,
        response: responses({ 201: Type.Object({ ban: BanSchema }) }, [400, 401, 403, 415]),
      },
    },
    async (request, reply) => {
      const { body } = request;
      const ip = normaliseIp(body.ip);
      if (!ip) throw invalid('ip', 'must be an IPv4 or IPv6 address');
      const ttlMs =
        body.ttl === undefined
          ? DEFAULT_BAN_TTL_MS
          : typeof body.ttl === 'number'
            ? body.ttl * 1000
            : parseDuration(body.ttl);
      if (ttlMs === undefined || ttlMs < 1000 || ttlMs > MAX_BAN_TTL_MS)
        throw invalid('ttl', 'must be seconds or a duration such as 30m or 1d, at most 365d');
      const createdBy = actorOf(request) ?? null;
      const ban = await protection.bans.add({ ip, ttlMs, reason: body.reason ?? 'banned by an admin', createdBy });
      protection.events.record({
        type: 'ip_banned',
        ip,
        userId: createdBy ?? undefined,
        action: 'ban',
        details: { reason: ban.reason, ttlMs, by: 'admin' },
      });
      return reply.code(201).send({ ban });
    },
  );

  app.delete(
    '/v1/admin/security/bans/:ip',
    {
      preHandler: requireAdmin,
      schema: {
        tags,
        summary: "Lift an IP's ban (and forget its reputation)",
        params: IpParams,
        response: responses({ 204: NoContent }, [400, 401, 403, 404]),
      },
    },
    async (request, reply) => {
      const ip = normaliseIp(request.params.ip);
      if (!ip) throw invalid('ip', 'must be an IPv4 or IPv6 address');
      const removed = await protection.bans.remove(ip);
      if (!removed) throw new TesseraError('not_found', 'No active ban for this IP.');
      await protection.reputation.clear(ip);
      protection.events.record({
        type: 'ip_unbanned',
        ip,
        userId: actorOf(request),
        action: 'log',
        details: { by: 'admin' },
      });
      return reply.code(204).send();
    },
  );
};

function parseSince(text: string): number {
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw invalid('since', 'must be epoch milliseconds or an ISO 8601 time');
  return ms;
}

function invalid(field: string, message: string): TesseraError {
  return new TesseraError('invalid_request', undefined, { details: [{ field, message }] });
}
