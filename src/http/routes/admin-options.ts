import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Observability } from '../../observability/index.js';

/** What the observability route plugins need from the app: the layer, and the app's admin guard. */
export interface AdminRouteOptions {
  observability: Observability;
  /** preHandler that answers 401/403 unless the request carries an admin session. */
  requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** Who did it (for ack/resolve): e.g. the admin's email or user id. */
  actor?: (request: FastifyRequest) => string;
}
