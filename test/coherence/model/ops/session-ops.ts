import { call, indeterminate } from './call.js';
import type { Instance } from '../../support/instances.js';
import { liveSessions, type ModelUser, type World } from '../world.js';

const MAX_SESSIONS_PER_USER = 4;

export async function login(world: World, instance: Instance, user: ModelUser): Promise<void> {
  if (liveSessions(user).length >= MAX_SESSIONS_PER_USER) return;
  const { entry, body } = await call(
    world,
    {
      kind: 'login',
      instance,
      userId: user.id,
      method: 'POST',
      route: '/v1/auth/login',
      body: { email: user.email, password: user.password },
    },
    (status, b) => (status === 200 ? { sessionId: b.session.id, newToken: b.token } : {}),
  );
  if (entry.status === 200)
    user.sessions.push({ id: body.session.id, token: body.token, rotated: [], live: true, uncertain: false });
}

/** Rotates a live session's token; the old one stays valid for the grace period, then is dead. */
export async function refresh(world: World, instance: Instance, user: ModelUser): Promise<void> {
  const sessions = liveSessions(user);
  if (sessions.length === 0) return;
  const session = world.prng.pick(sessions);
  const old = session.token;
  const { entry, body } = await call(
    world,
    {
      kind: 'refresh',
      instance,
      userId: user.id,
      sessionId: session.id,
      token: old,
      method: 'POST',
      route: '/v1/auth/session/refresh',
    },
    (status, b) => (status === 200 ? { newToken: b.token } : {}),
  );
  if (entry.status === 200) {
    session.rotated.push({ token: old, refreshSentAt: entry.sendAt });
    session.token = body.token;
  } else if (indeterminate(entry.status)) {
    session.uncertain = true;
  }
}
