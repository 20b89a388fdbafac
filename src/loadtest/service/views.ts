import type { LoadTestRunRecord } from '../../store/types.js';
import type { RunProgress } from './execute.js';

/** A run as the API shows it. */
export interface RunView {
  id: string;
  name: string | null;
  kind: 'scenario' | 'suite';
  preset: string;
  scenario: string | null;
  suite: string | null;
  profile: string | null;
  target: string;
  status: LoadTestRunRecord['status'];
  startedAt: string;
  finishedAt: string | null;
  durationMs: number;
  createdBy: string | null;
  /** Whether this instance runs it (only it holds the live progress; any instance can ask it to stop). */
  local: boolean;
  stopRequested: boolean;
  progress: RunProgress | null;
  grade: string | null;
  error: string | null;
  baseline: boolean;
  params: Record<string, unknown>;
  /** k6-shaped (metrics, thresholds, checks, grade, recommendations) once the run is over. */
  summary?: Record<string, unknown> | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function runView(
  record: LoadTestRunRecord,
  options: { now: number; local: boolean; liveProgress?: RunProgress; baseline: boolean; withSummary: boolean },
): RunView {
  const running = record.status === 'running';
  const view: RunView = {
    id: record.id,
    name: record.name,
    kind: record.kind,
    preset: record.preset,
    scenario: str(record.params.scenario),
    suite: str(record.params.suite),
    profile: str(record.params.profile),
    target: record.target,
    status: record.status,
    startedAt: new Date(record.startedAt).toISOString(),
    finishedAt: record.finishedAt === null ? null : new Date(record.finishedAt).toISOString(),
    durationMs: (record.finishedAt ?? options.now) - record.startedAt,
    createdBy: record.createdBy,
    local: options.local,
    stopRequested: record.stopRequestedAt !== null,
    progress: running ? (options.liveProgress ?? (record.progress as RunProgress | null)) : null,
    grade: record.grade,
    error: record.error,
    baseline: options.baseline,
    params: record.params,
  };
  if (options.withSummary) view.summary = record.summary;
  return view;
}
