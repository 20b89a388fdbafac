import { Type } from '@sinclair/typebox';
import { loginOutcomeOfError } from '../../observability/integration.js';
import { OverloadedError } from '../../errors/index.js';
import { toTesseraError } from '../error-handler.js';
import type { RouteGroup } from '../route-group.js';
import { Email, NoContent, Password, Tenant, TokenResponse, responses } from '../schemas.js';
import { clientInfo } from '../client-info.js';
import { clearSessionCookie, setSessionCookie } from '../cookies.js';

const SignupBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    tenant: Type.Optional(Tenant),
  },
  { additionalProperties: false },
);
const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 256 }), tenant: Type.Optional(Tenant) },
  { additionalProperties: false },
);
const PasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password },
  { additionalProperties: false },
);

/** Signup, login, logout, logout-all, password change. */
export const authRoutes: RouteGroup = async (app, { deps, authenticate }) => {
  const { users, sessions, audit, config } = deps;
  const tags = ['auth'];
  // Logins refused before or around the password check (locked out, rate limited, blocked, failed) are counted here,
  // from the error the client gets, whichever hook refused them; successes and wrong passwords by their audit events.
  const metrics = deps.observability?.metrics;
  const countRefusedLogin = (error: Error): void => {
    if (!metrics?.enabled) return;
    const { code, status } = toTesseraError(error);
    const outcome = error instanceof OverloadedError ? 'shed' : loginOutcomeOfError(code, status);
    if (outcome) metrics.login(outcome);
  };

  app.post(
    '/v1/auth/signup',
    {
      schema: {
        tags,
        summary: 'Create an account',
        body: SignupBody,
        response: responses({ 201: Type.Object({ user: Type.Ref('User') }) }, [400, 409, 413, 415, 429, 503]),
      },
    },
    async (request, reply) => {
      const user = await users.signup(request.body, clientInfo(request));
      return reply.code(201).send({ user });
    },
  );

  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags,
        summary: 'Log in: opens a session, returns its token and sets the session cookie',
        body: LoginBody,
        response: responses(
          {
            200: Type.Composite([TokenResponse, Type.Object({ session: Type.Ref('Session'), user: Type.Ref('User') })]),
          },
          [400, 401, 413, 415, 429, 503],
        ),
      },
      onError: (_request, _reply, error, done) => {
        countRefusedLogin(error);
        done();
      },
    },
    async (request, reply) => {
      const { token, entry } = await users.login(request.body, clientInfo(request));
      setSessionCookie(request, reply, token, entry.session.expiresAt, config.cookieSecure);
      const session = sessions.view(entry);
      return { token, expiresAt: session.expiresAt, idleExpiresAt: session.idleExpiresAt, session, user: entry.user };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      schema: { tags, summary: 'End this session everywhere', response: responses({ 204: NoContent }, [401, 403]) },
    },
    async (request, reply) => {
      const entry = await authenticate(request);
      await sessions.revoke(entry.session.id, 'logout');
      await audit.record('logout', {
        tenant: entry.session.tenant,
        userId: entry.session.userId,
        sessionId: entry.session.id,
        ...clientInfo(request),
      });
      clearSessionCookie(request, reply, config.cookieSecure);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/auth/logout-all',
    {
      schema: {
        tags,
        summary: 'End every session of this user everywhere',
        response: responses({ 204: NoContent }, [401, 403]),
      },
    },
    async (request, reply) => {
      const entry = await authenticate(request);
      const count = await sessions.revokeAll(entry.session.userId, 'logout_all');
      await audit.record('logout_all', {
        tenant: entry.session.tenant,
        userId: entry.session.userId,
        sessionId: entry.session.id,
        ...clientInfo(request),
        details: { sessions: count },
      });
      clearSessionCookie(request, reply, config.cookieSecure);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/auth/password',
    {
      schema: {
        tags,
        summary: 'Change the password; every other session is revoked',
        body: PasswordBody,
        response: responses({ 204: NoContent }, [400, 401, 403, 503]),
      },
    },
    async (request, reply) => {
      const entry = await authenticate(request);
      const { currentPassword, newPassword } = request.body;
      await users.changePassword(entry, currentPassword, newPassword, clientInfo(request));
      return reply.code(204).send();
    },
  );
};
