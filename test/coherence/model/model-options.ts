import { parseDuration } from '../../../src/config/duration.js';

/** COHERENCE_SEED (default: random, printed) and COHERENCE_DURATION (default: short, for `npm test`). */
export function modelOptionsFromEnv(defaultDurationMs: number): { seed: number; durationMs: number } {
  const rawSeed = process.env.COHERENCE_SEED;
  const seed = rawSeed ? Number(rawSeed) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new Error(`COHERENCE_SEED must be an integer, got "${rawSeed}"`);
  const rawDuration = process.env.COHERENCE_DURATION;
  const durationMs = rawDuration ? parseDuration(rawDuration) : defaultDurationMs;
  if (durationMs === undefined)
    throw new Error(`COHERENCE_DURATION must be a duration such as 30s or 10m, got "${rawDuration}"`);
  return { seed, durationMs };
}

/** COHERENCE_VARIANT=standalone|cluster runs one variant only (the bench runner sets it). */
export const variantEnabled = (variant: 'standalone' | 'cluster'): boolean => {
  const only = process.env.COHERENCE_VARIANT;
  return !only || only === variant;
};
