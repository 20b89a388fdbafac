import type { Violation } from '../support/violations.js';
import { acknowledged, type History } from './history.js';

export interface ModelSummary {
  seed: number;
  variant: string;
  durationMs: number;
  operations: Record<string, number>;
  acknowledgedRevocations: number;
  faults: Record<string, number>;
  /** Whether every instance had Redis and its bus back after the faults were healed. */
  recovery: string;
  violations: Violation[];
}

const REVOKING = new Set(['logout', 'logoutAll', 'deleteSession', 'passwordChange', 'refresh']);

export function summarise(
  history: History,
  base: Omit<ModelSummary, 'operations' | 'acknowledgedRevocations'>,
): ModelSummary {
  return {
    ...base,
    operations: history.counts(),
    acknowledgedRevocations: history.entries.filter((e) => REVOKING.has(e.kind) && acknowledged(e)).length,
  };
}

export function formatSummary(s: ModelSummary): string {
  const ops = Object.entries(s.operations)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
  const faults =
    Object.entries(s.faults)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ') || 'none';
  return [
    `coherence model (${s.variant}) seed=${s.seed} duration=${s.durationMs} ms`,
    `  operations by kind and status: ${ops}`,
    `  acknowledged revocations (incl. rotations): ${s.acknowledgedRevocations}`,
    `  faults injected: ${faults}`,
    `  after healing: ${s.recovery}`,
    `  violations: ${s.violations.length}`,
    `  replay with COHERENCE_SEED=${s.seed}`,
  ].join('\n');
}
