import { Type } from '@sinclair/typebox';
import { TesseraError } from '../../errors/index.js';
import type { RouteGroup } from '../route-group.js';
import { NoContent, Timestamp, responses } from '../schemas.js';
import { clientInfo } from '../client-info.js';

const SessionSummary = Type.Object({
  id: Type.String(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});

/** The user's own sessions: list them, end one. */
export const sessionsListRoutes: RouteGroup = async (app, { deps, authenticate }) => {
  const { sessions, store, audit } = deps;
  const tags = ['sessions'];

  app.get(
    '/v1/auth/sessions',
    {
      schema: {
        tags,
        summary: "List the user's live sessions",
        response: responses({ 200: Type.Object({ sessions: Type.Array(SessionSummary) }) }, [401]),
      },
    },
    async (request) => {
      const entry = await authenticate(request);
      return { sessions: await sessions.list(entry.session.userId, entry.session.id) };
    },
  );

  app.delete(
    '/v1/auth/sessions/:id',
    {
      schema: {
        tags,
        summary: 'End one of your sessions',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: responses({ 204: NoContent }, [401, 403, 404]),
      },
    },
    async (request, reply) => {
      const entry = await authenticate(request);
      const { id } = request.params;
      const target = await store.sessions.findById(id);
      if (!target || target.userId !== entry.session.userId || !(await sessions.revoke(id, 'revoked_by_user'))) {
        throw new TesseraError('not_found', 'No such session.');
      }
      await audit.record('session_revoked', {
        tenant: target.tenant,
        userId: target.userId,
        sessionId: id,
        ...clientInfo(request),
        details: { by: entry.session.id },
      });
      return reply.code(204).send();
    },
  );
};
