import type { Instance } from '../support/instances.js';
import { changePassword, deleteSession, logout, logoutAll } from './ops/revocation-ops.js';
import { login, refresh } from './ops/session-ops.js';
import { validateRandom } from './ops/validate.js';
import { dataWrite, roleChange } from './ops/write-ops.js';
import { withUser, type ModelUser, type World } from './world.js';

type Mutation = (world: World, instance: Instance, user: ModelUser) => Promise<void>;

const MUTATIONS: Record<string, Mutation> = {
  login,
  refresh,
  logout,
  logoutAll,
  deleteSession,
  changePassword,
  dataWrite,
  roleChange,
};

/** Relative frequency of each operation; validations dominate, as in production. */
const WEIGHTS = {
  validate: 55,
  login: 8,
  refresh: 6,
  dataWrite: 10,
  logout: 5,
  deleteSession: 4,
  logoutAll: 1,
  changePassword: 1,
  roleChange: 4,
};

/**
 * `workers` concurrent clients, each sending random operations to random instances until `until`.
 * Validations run freely alongside everything; mutations of one user are serialised (withUser).
 */
export async function runGenerator(world: World, workers: number, until: number): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < until) {
        const kind = world.prng.weighted(WEIGHTS);
        const instance = world.prng.pick(world.instances);
        if (kind === 'validate') {
          await validateRandom(world, instance);
          continue;
        }
        const user = world.prng.pick(world.users);
        if (user.frozen) continue;
        await withUser(user, () => MUTATIONS[kind](world, instance, user));
      }
    }),
  );
}
