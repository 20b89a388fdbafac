import { TesseraClient } from './client.js';
import { expressMiddleware, fastifyPlugin, type ExpressMiddleware, type MiddlewareOptions } from './middleware.js';
import { tokenFromHeaders } from './token.js';
import type { ClientOptions, ClientStats, Validated } from './types.js';

export { TesseraUnavailableError } from './errors.js';
export { tokenHash } from './token.js';
export type { ClientOptions, ClientStats, TesseraSession, TesseraUser, Validated } from './types.js';
export type { MiddlewareOptions, ExpressMiddleware } from './middleware.js';

export interface Tessera {
  /** `{ session, user }` or null; a cache hit is a plain value (no I/O); `await` it either way. */
  validate(token: string | null | undefined): Validated | null | Promise<Validated | null>;
  /** Express middleware: `req.tessera = { session, user }`; 401 without a valid session (when required), 503 when unchecked. */
  express(options?: MiddlewareOptions): ExpressMiddleware;
  /** Fastify plugin: `fastify.register(tessera.fastify, { required: true })` → `request.tessera`. */
  fastify: ReturnType<typeof fastifyPlugin>;
  /** For web-standard `Request`s (Hono, Next.js, Bun): the session of its bearer token or cookie, or null. */
  fromRequest(request: Request): Promise<Validated | null>;
  stats(): ClientStats;
  close(): Promise<void>;
}

/** Connects to Tessera's revocation stream and validates sessions inside the application. */
export function createClient(options: ClientOptions): Tessera {
  const client = new TesseraClient(options);
  const validate = (token: string | null | undefined) => client.validate(token);
  return {
    validate,
    express: (middlewareOptions) => expressMiddleware(validate, middlewareOptions),
    fastify: fastifyPlugin(validate),
    fromRequest: async (request) =>
      validate(tokenFromHeaders(request.headers.get('authorization'), request.headers.get('cookie'))),
    stats: () => client.stats(),
    close: () => client.close(),
  };
}

declare global {
  // Express's own way to type `req.tessera` (declaration merging); harmless where Express is not used.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      tessera?: Validated;
    }
  }
}
