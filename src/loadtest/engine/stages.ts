import { parseDuration } from '../../config/duration.js';

/** A ramp: over `durationMs`, move linearly from the previous target to `target` (VUs or iterations/s). */
export interface Stage {
  durationMs: number;
  target: number;
}

/** Parses `30s:100` (the --stage flag). */
export function parseStage(text: string, errors: string[]): Stage | undefined {
  const match = /^\s*([^:]+):\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  const durationMs = match ? parseDuration(match[1]) : undefined;
  if (!match || durationMs === undefined) {
    errors.push(`--stage "${text}" is not DURATION:TARGET, e.g. 30s:100`);
    return undefined;
  }
  return { durationMs, target: Number(match[2]) };
}

export function totalDuration(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** Target at `elapsedMs`, interpolating linearly inside the current stage. */
export function valueAt(start: number, stages: readonly Stage[], elapsedMs: number): number {
  let from = start;
  let t = elapsedMs;
  for (const stage of stages) {
    if (t < stage.durationMs) return from + (stage.target - from) * (stage.durationMs === 0 ? 1 : t / stage.durationMs);
    t -= stage.durationMs;
    from = stage.target;
  }
  return from;
}

export function maxValue(start: number, stages: readonly Stage[]): number {
  return Math.max(start, ...stages.map((s) => s.target));
}

/** This thread's share of a value split over `parts` threads (the remainder goes to the first ones). */
export function shareOf(value: number, part: number, parts: number, integer: boolean): number {
  if (!integer) return value / parts;
  const base = Math.floor(value / parts);
  const rest = Math.round(value) - base * parts;
  return base + (part < rest ? 1 : 0);
}

export function scaleStages(stages: readonly Stage[], part: number, parts: number, integer: boolean): Stage[] {
  return stages.map((s) => ({ durationMs: s.durationMs, target: shareOf(s.target, part, parts, integer) }));
}
