import { newSession } from '../../helpers/tessera.js';
import { ADMIN, waitForRedisReady, type Instance } from '../support/instances.js';
import { sleep } from '../support/trials.js';
import { checkHistory } from './checker.js';
import { runFaults, type FaultTarget } from './faults.js';
import { runGenerator } from './generator.js';
import { History } from './history.js';
import { validateToken } from './ops/validate.js';
import { createPrng } from './prng.js';
import { summarise, type ModelSummary } from './summary.js';
import type { World } from './world.js';

export interface ModelOptions {
  variant: string;
  seed: number;
  durationMs: number;
  rotationGraceMs: number;
  users?: number;
  workers?: number;
}

/** How many sweep checks are in flight at once: thousands at a time would fail as connection errors, not checks. */
const SWEEP_CONCURRENCY = 32;

/** Every token ever issued, on every instance: what a lost invalidation left behind shows here. */
async function finalSweep(world: World): Promise<void> {
  const checks = world.users.flatMap((user) =>
    user.sessions.flatMap((s) =>
      [s.token, ...s.rotated.map((r) => r.token)].flatMap((token) =>
        world.instances.map((instance) => () => validateToken(world, instance, user, s.id, token)),
      ),
    ),
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < checks.length) await checks[next++]();
  };
  await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
}

/**
 * One run of the model: random operations from several clients against `instances` while `faults`
 * breaks Redis, then faults healed, a settle pause, a final sweep of every token, and the checker.
 */
export async function runModel(
  instances: Instance[],
  faults: FaultTarget,
  options: ModelOptions,
): Promise<{ summary: ModelSummary; history: History }> {
  const admin = await instances[0].api('POST', '/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
  if (admin.status !== 200) throw new Error(`admin login failed: ${admin.status}`);
  const world: World = {
    users: [],
    instances,
    history: new History(),
    prng: createPrng(options.seed),
    rotationGraceMs: options.rotationGraceMs,
    admin: { token: admin.body.token, api: instances[0].api, email: ADMIN.email, password: ADMIN.password },
    roleCounter: 0,
  };
  for (let i = 0; i < (options.users ?? 6); i += 1) {
    const s = await newSession(instances[i % instances.length].api);
    world.users.push({
      id: s.userId,
      email: s.email,
      password: 'correct horse battery staple',
      sessions: [{ id: s.sessionId, token: s.token, rotated: [], live: true, uncertain: false }],
      frozen: false,
      lock: Promise.resolve(),
    });
  }

  const until = Date.now() + options.durationMs;
  let injected: Record<string, number> = {};
  try {
    const [generated, faulted] = await Promise.allSettled([
      runGenerator(world, options.workers ?? 6, until),
      runFaults(faults, createPrng(options.seed ^ 0x5bd1e995), until),
    ]);
    if (generated.status === 'rejected') throw generated.reason;
    if (faulted.status === 'rejected') throw faulted.reason;
    injected = faulted.value;
  } finally {
    await faults.healAll();
  }
  // Not a coherence question, so reported rather than failed: the sweep is checked either way.
  const recovery = await waitForRedisReady(instances, 20_000).then(
    () => 'Redis and bus ready on every instance',
    (error: Error) => `NOT RECOVERED: ${error.message}`,
  );
  await sleep(1500);
  await finalSweep(world);
  await sleep(1000);
  await finalSweep(world);

  const violations = checkHistory(world.history.entries, options.rotationGraceMs);
  return {
    summary: summarise(world.history, {
      seed: options.seed,
      variant: options.variant,
      durationMs: options.durationMs,
      faults: injected,
      recovery,
      violations,
    }),
    history: world.history,
  };
}
