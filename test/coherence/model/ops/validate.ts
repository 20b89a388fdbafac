import { call } from './call.js';
import type { Instance } from '../../support/instances.js';
import { liveSessions, type ModelUser, type World } from '../world.js';

/** GET /v1/auth/session with `token`, recording the version and roles served. */
export function validateToken(world: World, instance: Instance, user: ModelUser, sessionId: string, token: string) {
  return call(
    world,
    { kind: 'validate', instance, userId: user.id, sessionId, token, method: 'GET', route: '/v1/auth/session' },
    (status, body) => (status === 200 ? { version: body.session.version, roles: body.user.roles } : {}),
  );
}

/**
 * Validates a random token: mostly a live one, sometimes one rotated out but still inside its grace
 * period, sometimes one of a revoked session. A rotated-out token past its grace is never presented
 * (that would revoke its session as a theft, outside the model).
 */
export async function validateRandom(world: World, instance: Instance): Promise<void> {
  const { prng } = world;
  const user = prng.pick(world.users);
  const roll = prng.next();
  const now = Date.now();
  if (roll < 0.1) {
    const inGrace = user.sessions.flatMap((s) =>
      s.rotated.filter((r) => now < r.refreshSentAt + world.rotationGraceMs - 300).map((r) => ({ s, token: r.token })),
    );
    if (inGrace.length > 0) {
      const { s, token } = prng.pick(inGrace);
      await validateToken(world, instance, user, s.id, token);
      return;
    }
  }
  const pool = roll < 0.25 ? user.sessions.filter((s) => !s.live) : liveSessions(user);
  if (pool.length === 0) return;
  const session = prng.pick(pool);
  await validateToken(world, instance, user, session.id, session.token);
}
