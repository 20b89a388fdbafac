import type { FastifyRequest } from 'fastify';
import type { ClientInfo } from '../auth/user-sessions.js';

export const clientInfo = (request: FastifyRequest): ClientInfo => ({
  // The protection layer's resolution (TRUST_PROXY, canonical form) when it is installed, so sessions, audit and
  // counters name a client the same way.
  ip: request.clientIp || request.ip,
  userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
});
