import { call } from './call.js';
import { validateToken } from './validate.js';
import type { Instance } from '../../support/instances.js';
import { liveSessions, type ModelUser, type World } from '../world.js';

/** Read-then-write of the session data: GET on one instance, PATCH with the version read on another. */
export async function dataWrite(world: World, instance: Instance, user: ModelUser): Promise<void> {
  const sessions = liveSessions(user);
  if (sessions.length === 0) return;
  const session = world.prng.pick(sessions);
  const { entry: read } = await validateToken(world, world.prng.pick(world.instances), user, session.id, session.token);
  if (read.version === undefined) return;
  await call(
    world,
    {
      kind: 'dataWrite',
      instance,
      userId: user.id,
      sessionId: session.id,
      token: session.token,
      method: 'PATCH',
      route: '/v1/auth/session/data',
      body: { data: { n: world.prng.int(1_000_000) }, version: read.version },
    },
    (status, b) => (status === 200 ? { version: b.version } : {}),
  );
}

/** The admin replaces the user's roles with a set never used before, so a stale one is recognisable. */
export async function roleChange(world: World, instance: Instance, user: ModelUser): Promise<void> {
  world.roleCounter += 1;
  const roles = ['user', `gen-${world.roleCounter}`];
  const { entry } = await call(
    world,
    {
      kind: 'roleChange',
      instance,
      userId: user.id,
      token: world.admin.token,
      method: 'PUT',
      route: `/v1/admin/users/${user.id}/roles`,
      body: { roles },
    },
    () => ({ roles }),
  );
  if (entry.status === 401) await reloginAdmin(world);
}

async function reloginAdmin(world: World): Promise<void> {
  const res = await world.admin.api('POST', '/v1/auth/login', {
    email: world.admin.email,
    password: world.admin.password,
  });
  if (res.status === 200) world.admin.token = res.body.token;
}
