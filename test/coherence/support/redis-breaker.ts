import { generateToken } from '../../../src/sessions/token.js';
import type { Instance } from './instances.js';

const redisOk = async (instance: Instance): Promise<boolean> => {
  const ready = await instance.api('GET', '/ready');
  return Boolean(
    (ready.body?.dependencies as Array<{ name: string; ok: boolean }> | undefined)?.find((d) => d.name === 'redis')?.ok,
  );
};

/**
 * With Redis frozen, sends validations of never-seen tokens (each one an L2 read that times out) to
 * every instance until its circuit breaker for Redis is open, so the next cache deletes fail fast
 * instead of being written to a socket that delivers them once Redis resumes.
 */
export async function tripRedisBreakers(instances: Instance[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const instance of instances) {
    while (await redisOk(instance)) {
      if (Date.now() > deadline) throw new Error(`instance ${instance.name}: the Redis breaker did not open`);
      await Promise.all(
        Array.from({ length: 8 }, () => instance.api('GET', '/v1/auth/session', undefined, { token: generateToken() })),
      );
    }
  }
}
