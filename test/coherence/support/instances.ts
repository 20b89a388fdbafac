import { startServerProcess, type ServerProcess } from '../../helpers/server-process.js';
import { generateToken } from '../../../src/sessions/token.js';
import { apiClient } from '../../helpers/tessera.js';

export type Api = ReturnType<typeof apiClient>;

export interface Instance {
  name: string;
  server: ServerProcess;
  api: Api;
}

export const ADMIN = { email: 'coherence-admin@example.test', password: 'coherence admin password' };

/**
 * What every instance in these tests shares: the test client's loopback address skips rate limits
 * (the generator is one IP sending far more than a person would), and an admin account exists.
 */
const COMMON_ENV = {
  IP_ALLOWLIST: '127.0.0.1/32,::1/128',
  TESSERA_ADMIN_EMAIL: ADMIN.email,
  TESSERA_ADMIN_PASSWORD: ADMIN.password,
  LOG_LEVEL: 'warn',
};

/** Starts one built Tessera process per entry of `perInstance` (A, B, C…), all with `shared` env. */
export async function startInstances(
  shared: Record<string, string>,
  perInstance: Array<Record<string, string>>,
): Promise<Instance[]> {
  const started: Instance[] = [];
  try {
    // One at a time: the first runs the migrations and creates the admin on the fresh database.
    for (const [i, own] of perInstance.entries()) {
      const server = await startServerProcess({ ...COMMON_ENV, ...shared, ...own });
      started.push({ name: String.fromCharCode(65 + i), server, api: apiClient(server.url) });
    }
    return started;
  } catch (error) {
    await stopInstances(started);
    throw error;
  }
}

export async function stopInstances(instances: Instance[] | undefined): Promise<void> {
  await Promise.all((instances ?? []).map((i) => i.server.stop().catch(() => {})));
}

/**
 * Until every instance reports Redis and the bus ready again (after a fault was healed). The breaker
 * closes only when a request tries Redis, so each poll sends a validation of an unknown token too.
 */
export async function waitForRedisReady(instances: Instance[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const instance of instances) {
    for (;;) {
      const ready = await instance.api('GET', '/ready').catch(() => undefined);
      const deps = (ready?.body?.dependencies ?? []) as Array<{ name: string; ok: boolean }>;
      if (['redis', 'bus'].every((name) => deps.find((d) => d.name === name)?.ok)) break;
      if (Date.now() > deadline)
        throw new Error(
          `instance ${instance.name}: Redis/bus not ready within ${timeoutMs} ms: ${JSON.stringify(deps)}`,
        );
      await instance.api('GET', '/v1/auth/session', undefined, { token: generateToken() }).catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
