import { Type } from '@sinclair/typebox';
import { TesseraError } from '../../errors/index.js';
import type { RouteGroup } from '../route-group.js';
import { TokenResponse, responses } from '../schemas.js';
import { clientInfo } from '../client-info.js';
import { setSessionCookie } from '../cookies.js';
import type { SessionEntry } from '../../sessions/types.js';
import { toSessionView } from '../../sessions/views.js';
import { respondDirect } from '../on-every-response.js';

const DataBody = Type.Object(
  { data: Type.Record(Type.String(), Type.Unknown()), version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/** The validation response, serialised once per cached entry: a cache hit costs no JSON work. */
const sessionBody = (entry: SessionEntry): string =>
  (entry.body ??= JSON.stringify({ session: toSessionView(entry.session), user: entry.user }));

/** The current session: validation (the hot path), rotation, and its application data. */
export const sessionRoutes: RouteGroup = async (app, { deps, authenticate }) => {
  const { sessions, config } = deps;
  const tags = ['sessions'];

  app.get(
    '/v1/auth/session',
    {
      schema: {
        tags,
        summary: 'Validate the presented session (the hot path)',
        response: responses({ 200: Type.Object({ session: Type.Ref('Session'), user: Type.Ref('User') }) }, [401]),
      },
    },
    (request, reply) => {
      // Straight to the socket (same headers, same writers as reply.send); from L1 without a promise either.
      // A 401 is thrown (or rejected) to Fastify's error handler as everywhere else.
      const entry = authenticate(request);
      if (entry instanceof Promise) return entry.then((e) => respondDirect(request, reply, sessionBody(e)));
      respondDirect(request, reply, sessionBody(entry));
      return undefined;
    },
  );

  app.post(
    '/v1/auth/session/refresh',
    {
      schema: {
        tags,
        summary: 'Rotate the token; the old one works for a 10 s grace period',
        response: responses({ 200: TokenResponse }, [401, 403]),
      },
    },
    async (request, reply) => {
      const entry = await authenticate(request);
      const { token, entry: fresh } = await sessions.refresh(entry, clientInfo(request));
      setSessionCookie(request, reply, token, fresh.session.expiresAt, config.cookieSecure);
      const view = toSessionView(fresh.session);
      return { token, expiresAt: view.expiresAt, idleExpiresAt: view.idleExpiresAt };
    },
  );

  app.patch(
    '/v1/auth/session/data',
    {
      schema: {
        tags,
        summary: 'Replace the session data (compare-and-set on version)',
        body: DataBody,
        response: responses(
          { 200: Type.Object({ data: Type.Record(Type.String(), Type.Unknown()), version: Type.Integer() }) },
          [400, 401, 403, 409, 413, 415],
        ),
      },
    },
    async (request) => {
      const entry = await authenticate(request);
      const { data, version } = request.body;
      if (Buffer.byteLength(JSON.stringify(data)) > config.sessionDataMaxBytes) {
        throw new TesseraError('invalid_request', 'Session data is too large.', {
          details: [{ field: 'data', message: `must serialise to at most ${config.sessionDataMaxBytes} bytes` }],
        });
      }
      return sessions.updateData(entry, data, version);
    },
  );
};
