import type { IncomingMessage, ServerResponse } from 'node:http';
import { TesseraUnavailableError, UNAUTHENTICATED, UNAVAILABLE } from './errors.js';
import { tokenFromHeaders } from './token.js';
import type { Validated } from './types.js';

export interface MiddlewareOptions {
  /** Answer 401 when there is no valid session (default true); false lets the request through without one. */
  required?: boolean;
}

type Validate = (token: string | undefined) => Validated | null | Promise<Validated | null>;

const send = (res: ServerResponse, status: number, body: string): void => {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  if (status === 503) res.setHeader('retry-after', '1');
  res.end(body);
};

const tokenOf = (req: IncomingMessage): string | undefined =>
  tokenFromHeaders(req.headers.authorization, req.headers.cookie);

export type ExpressRequest = IncomingMessage & { tessera?: Validated };
export type ExpressMiddleware = (req: ExpressRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Express (or Connect) middleware: sets `req.tessera`; 401 without a valid session when required, 503 when unchecked. */
export function expressMiddleware(validate: Validate, options: MiddlewareOptions = {}): ExpressMiddleware {
  const required = options.required ?? true;
  const settle = (req: ExpressRequest, res: ServerResponse, next: (e?: unknown) => void, found: Validated | null) => {
    if (found) {
      req.tessera = found;
      next();
    } else if (required) send(res, 401, UNAUTHENTICATED);
    else next();
  };
  const fail = (res: ServerResponse, next: (e?: unknown) => void, error: unknown) => {
    if (error instanceof TesseraUnavailableError) send(res, 503, UNAVAILABLE);
    else next(error);
  };
  return function tessera(req, res, next) {
    const token = tokenOf(req);
    if (token === undefined) {
      settle(req, res, next, null);
      return;
    }
    let found: ReturnType<Validate>;
    try {
      found = validate(token);
    } catch (error) {
      fail(res, next, error);
      return;
    }
    if (found instanceof Promise)
      found.then(
        (v) => settle(req, res, next, v),
        (error: unknown) => fail(res, next, error),
      );
    else settle(req, res, next, found);
  };
}

/** The parts of Fastify the plugin uses (typed here so the client does not depend on Fastify). */
interface FastifyLike {
  decorateRequest(name: string, value: unknown): unknown;
  addHook(
    name: 'onRequest',
    hook: (
      request: { headers: IncomingMessage['headers']; tessera?: Validated | null },
      reply: {
        code(status: number): { header(k: string, v: string): unknown; send(body: string): unknown };
        header(k: string, v: string): unknown;
        send(body: string): unknown;
      },
    ) => Promise<void>,
  ): unknown;
}

/** Fastify plugin: `request.tessera`; 401 / 503 as the Express middleware. Applies to every route of the app. */
export function fastifyPlugin(validate: Validate) {
  const plugin = async (fastify: FastifyLike, options: MiddlewareOptions = {}): Promise<void> => {
    const required = options.required ?? true;
    fastify.decorateRequest('tessera', null);
    fastify.addHook('onRequest', async (request, reply) => {
      const token = tokenFromHeaders(request.headers.authorization, request.headers.cookie);
      let found: Validated | null = null;
      if (token !== undefined) {
        try {
          found = await validate(token);
        } catch (error) {
          if (!(error instanceof TesseraUnavailableError)) throw error;
          reply.header('retry-after', '1');
          reply.code(503).header('content-type', 'application/json; charset=utf-8');
          await reply.send(UNAVAILABLE);
          return;
        }
      }
      if (!found && required) {
        reply.code(401).header('content-type', 'application/json; charset=utf-8');
        await reply.send(UNAUTHENTICATED);
        return;
      }
      request.tessera = found;
    });
  };
  // As fastify-plugin does: the hook applies to the routes of the app that registers it, not only inside.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'tessera' });
  return plugin;
}
