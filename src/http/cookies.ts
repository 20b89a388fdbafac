import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseCookie, stringifySetCookie } from 'cookie';

export const SESSION_COOKIE = 'tessera_session';

/** The session token from a Cookie header, if it carries one. */
export function sessionTokenFromCookie(header: string): string | undefined {
  return parseCookie(header)[SESSION_COOKIE];
}

/** HttpOnly; SameSite=Lax; Path=/; Secure over TLS or with COOKIE_SECURE=true. */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: number,
  forceSecure: boolean,
): void {
  reply.header(
    'set-cookie',
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: token,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: forceSecure || request.protocol === 'https',
      expires: new Date(expiresAt),
    }),
  );
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, forceSecure: boolean): void {
  reply.header(
    'set-cookie',
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: '',
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: forceSecure || request.protocol === 'https',
      expires: new Date(0),
    }),
  );
}
