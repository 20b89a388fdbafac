import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './authenticate.js';

/** HttpOnly; SameSite=Lax; Path=/; Secure over TLS or with COOKIE_SECURE=true. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: number, forceSecure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: forceSecure || request.protocol === 'https',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, forceSecure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: forceSecure || request.protocol === 'https' });
}
