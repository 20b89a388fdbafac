import type { Stage } from './engine/stages.js';

export interface ProfileInput {
  vus?: number;
  rate?: number;
  durationMs?: number;
}

export interface ProfileResult {
  model: 'closed' | 'open';
  start: number;
  stages: Stage[];
  /** Thresholds added when the user gave none (CLI spelling). */
  defaultThresholds: string[];
  breakpoint: boolean;
}

interface Preset {
  description: string;
  durationMs: number;
  vus: number;
  rate: number;
  /** [fraction of the duration, fraction of the peak] ramps. */
  shape: Array<[number, number]>;
  startFraction: number;
  forceOpen?: boolean;
  thresholds: string[];
}

/**
 * Stage presets. The shape is relative: --duration stretches it, --vus (closed) or --rate (open)
 * sets its peak.
 */
export const PROFILES: Record<string, Preset> = {
  smoke: {
    description: 'a few VUs briefly: does it work at all',
    durationMs: 10_000,
    vus: 1,
    rate: 5,
    shape: [[1, 1]],
    startFraction: 1,
    thresholds: ['http_req_failed: rate<0.01'],
  },
  load: {
    description: 'ramp to the expected load, hold, ramp down',
    durationMs: 60_000,
    vus: 20,
    rate: 100,
    shape: [
      [0.2, 1],
      [0.6, 1],
      [0.2, 0],
    ],
    startFraction: 0,
    thresholds: ['http_req_failed: rate<0.01', 'http_req_duration: p(95)<500'],
  },
  stress: {
    description: 'steps to 1×, 2× and 3× the load, holding each',
    durationMs: 120_000,
    vus: 20,
    rate: 100,
    shape: [
      [0.1, 1 / 3],
      [0.2, 1 / 3],
      [0.1, 2 / 3],
      [0.2, 2 / 3],
      [0.1, 1],
      [0.2, 1],
      [0.1, 0],
    ],
    startFraction: 0,
    thresholds: ['http_req_failed: rate<0.05'],
  },
  spike: {
    description: 'a sudden surge to the peak and back',
    durationMs: 60_000,
    vus: 50,
    rate: 250,
    shape: [
      [0.1, 0.1],
      [0.15, 0.1],
      [0.05, 1],
      [0.2, 1],
      [0.05, 0.1],
      [0.3, 0.1],
      [0.15, 0],
    ],
    startFraction: 0,
    thresholds: ['http_req_failed: rate<0.05'],
  },
  soak: {
    description: 'steady load for a long time (leaks, slow degradation)',
    durationMs: 30 * 60_000,
    vus: 20,
    rate: 100,
    shape: [
      [0.05, 1],
      [0.9, 1],
      [0.05, 0],
    ],
    startFraction: 0,
    thresholds: ['http_req_failed: rate<0.01', 'http_req_duration: p(95)<500 over 1m'],
  },
  breakpoint: {
    description: 'raise the arrival rate until a threshold fails; report the highest sustainable rate',
    durationMs: 120_000,
    vus: 100,
    rate: 500,
    shape: [[1, 1]],
    startFraction: 0,
    forceOpen: true,
    thresholds: ['http_req_failed: rate<0.05 over 5s', 'http_req_duration: p(95)<1000 over 5s'],
  },
};

export function applyProfile(name: string, input: ProfileInput): ProfileResult {
  const preset = PROFILES[name];
  const open = preset.forceOpen === true || input.rate !== undefined;
  const peak = open ? (input.rate ?? preset.rate) : (input.vus ?? preset.vus);
  const duration = input.durationMs ?? preset.durationMs;
  const integer = !open;
  const level = (fraction: number): number =>
    integer ? Math.max(fraction > 0 ? 1 : 0, Math.round(peak * fraction)) : Math.round(peak * fraction * 100) / 100;
  const stages = preset.shape.map(([timeFraction, levelFraction]) => ({
    durationMs: Math.round(duration * timeFraction),
    target: level(levelFraction),
  }));
  return {
    model: open ? 'open' : 'closed',
    start: level(preset.startFraction),
    stages,
    defaultThresholds: preset.thresholds,
    breakpoint: name === 'breakpoint',
  };
}
