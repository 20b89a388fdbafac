import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { TesseraError } from '../../errors/index.js';
import { RevocationHub } from '../../revocations/hub.js';
import { openEventStream } from '../../observability/open-event-stream.js';
import type { RouteGroup } from '../route-group.js';
import { responses } from '../schemas.js';

const LAST_EVENT_ID = /^[0-9]{1,15}$/;
/** How often an open stream's key is checked again: a revoked key's streams end within this (plus the 5 s cache). */
const RECHECK_KEY_MS = 5_000;

function serviceKeyOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer +(\S+)$/i.exec(header);
  if (!match) throw new TesseraError('unauthenticated', 'A service key (Authorization: Bearer tsk_…) is required.');
  return match[1];
}

/** The revocation stream (SPEC §9): Server-Sent Events for applications that cache sessions themselves. */
export const revocationRoutes: RouteGroup = async (app, { deps }) => {
  const { serviceKeys, bus } = deps;
  if (!serviceKeys || !bus) return;
  const hub = new RevocationHub({ sessions: deps.store.sessions, bus, logger: deps.logger });
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    hub.close();
    for (const end of open) end();
  });

  app.get(
    '/v1/sessions/revocations',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Server-Sent Events: every session an application must drop from its cache (service key)',
        description:
          'Events: `revoke` {sessions:[{id,revision}]}, `flush` {reason}, `heartbeat` (every 250 ms while this ' +
          'instance hears of every change). Ids are change-log positions: send `Last-Event-ID` to resume on any instance.',
        security: [{ bearer: [] }],
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ maxLength: 64 })) }),
        response: responses({ 200: Type.String({ description: 'text/event-stream' }) }, [400, 401, 503]),
      },
    },
    async (request, reply) => {
      const presented = serviceKeyOf(request);
      const key = await serviceKeys.verify(presented);
      if (!key) throw new TesseraError('unauthenticated', 'The service key is invalid or revoked.');
      const rawLastId = request.headers['last-event-id'];
      if (rawLastId !== undefined && !LAST_EVENT_ID.test(rawLastId))
        throw new TesseraError('invalid_request', 'Last-Event-ID must be an id this stream sent.', {
          details: [{ field: 'last-event-id', message: 'must be a non-negative integer' }],
        });
      await hub.start(); // a database that does not answer is a 503 here, before the stream opens
      const res = openEventStream(reply, 500);
      let detach: (() => void) | undefined;
      const recheck = setInterval(() => {
        serviceKeys.verify(presented).then(
          (still) => still === undefined && end(),
          () => {}, // the database is down: the key cannot be judged now; the next check will
        );
      }, RECHECK_KEY_MS);
      recheck.unref();
      const end = () => {
        clearInterval(recheck);
        detach?.();
        open.delete(end);
        res.end();
      };
      open.add(end);
      request.raw.on('close', end);
      res.on('error', end);
      try {
        detach = await hub.attach(res, rawLastId === undefined ? undefined : Number(rawLastId));
        if (!open.has(end)) detach();
      } catch (error) {
        deps.logger.warn({ err: error }, 'revocation stream could not start');
        end();
      }
    },
  );
};
