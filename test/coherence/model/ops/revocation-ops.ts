import { call, indeterminate } from './call.js';
import type { Instance } from '../../support/instances.js';
import { liveSessions, type ModelSession, type ModelUser, type World } from '../world.js';

export const OTHER_PASSWORD = 'another horse battery staple';

function markRevoked(status: number, sessions: ModelSession[]): void {
  if (status >= 200 && status < 300) for (const s of sessions) s.live = false;
}

export async function logout(world: World, instance: Instance, user: ModelUser): Promise<void> {
  const sessions = liveSessions(user);
  if (sessions.length === 0) return;
  const session = world.prng.pick(sessions);
  const { entry } = await call(
    world,
    {
      kind: 'logout',
      instance,
      userId: user.id,
      sessionId: session.id,
      token: session.token,
      method: 'POST',
      route: '/v1/auth/logout',
    },
    () => ({ revokes: [session.id] }),
  );
  markRevoked(entry.status, [session]);
}

export async function logoutAll(world: World, instance: Instance, user: ModelUser): Promise<void> {
  const sessions = liveSessions(user);
  if (sessions.length === 0) return;
  const session = world.prng.pick(sessions);
  // Every session of the user whose login was answered: the per-user lock means no login is in flight.
  const ended = user.sessions.filter((s) => s.live);
  const { entry } = await call(
    world,
    {
      kind: 'logoutAll',
      instance,
      userId: user.id,
      sessionId: session.id,
      token: session.token,
      method: 'POST',
      route: '/v1/auth/logout-all',
    },
    () => ({ revokes: ended.map((s) => s.id) }),
  );
  markRevoked(entry.status, ended);
}

/** DELETE /v1/auth/sessions/:id from one of the user's sessions (possibly itself). */
export async function deleteSession(world: World, instance: Instance, user: ModelUser): Promise<void> {
  const sessions = liveSessions(user);
  if (sessions.length === 0) return;
  const actor = world.prng.pick(sessions);
  const target = world.prng.pick(user.sessions.filter((s) => s.live));
  const { entry } = await call(
    world,
    {
      kind: 'deleteSession',
      instance,
      userId: user.id,
      sessionId: actor.id,
      token: actor.token,
      method: 'DELETE',
      route: `/v1/auth/sessions/${target.id}`,
    },
    () => ({ revokes: [target.id] }),
  );
  markRevoked(entry.status, [target]);
}

/** Changes the password (between two known ones); every other session of the user is revoked. */
export async function changePassword(world: World, instance: Instance, user: ModelUser): Promise<void> {
  const sessions = liveSessions(user);
  if (sessions.length === 0) return;
  const actor = world.prng.pick(sessions);
  const others = user.sessions.filter((s) => s.live && s !== actor);
  const next = user.password === OTHER_PASSWORD ? 'correct horse battery staple' : OTHER_PASSWORD;
  const { entry } = await call(
    world,
    {
      kind: 'passwordChange',
      instance,
      userId: user.id,
      sessionId: actor.id,
      token: actor.token,
      method: 'POST',
      route: '/v1/auth/password',
      body: { currentPassword: user.password, newPassword: next },
    },
    () => ({ revokes: others.map((s) => s.id) }),
  );
  markRevoked(entry.status, others);
  if (entry.status === 204) user.password = next;
  else if (indeterminate(entry.status)) user.frozen = true;
}
