/** How many trials a scenario runs: a small default for `npm test`, COHERENCE_TRIALS=20 for a real hunt. */
export function trialCount(defaultTrials: number): number {
  const raw = process.env.COHERENCE_TRIALS;
  if (raw === undefined || raw === '') return defaultTrials;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`COHERENCE_TRIALS must be a positive integer, got "${raw}"`);
  return n;
}

/** Enough time for a scenario's trials on a loaded 2-core machine, given how long one trial takes. */
export const timeoutFor = (trials: number, perTrialMs: number, setupMs = 10_000): number =>
  setupMs + trials * perTrialMs;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
