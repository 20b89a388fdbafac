import { Type, type TSchema } from '@sinclair/typebox';
import { LOADTEST_LIMITS } from '../../loadtest/service/limits.js';
import { PROFILES } from '../../loadtest/profiles.js';
import { SCENARIO_NAMES } from '../../loadtest/scenario-names.js';
import { SUITES } from '../../loadtest/suite-table.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Enum = (values: string[], description: string) =>
  Type.Unsafe<string>({ type: 'string', enum: values, description });
const AnyObject = Type.Record(Type.String(), Type.Unknown());

export const StartBody = Type.Object(
  {
    scenario: Type.Optional(Enum([...SCENARIO_NAMES], 'built-in scenario (default auth); or give a suite')),
    suite: Type.Optional(Enum(Object.keys(SUITES), 'run a suite instead of one scenario')),
    profile: Type.Optional(Enum(Object.keys(PROFILES), 'stage preset; none = constant load')),
    vus: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LOADTEST_LIMITS.maxVus,
        description: 'virtual users (closed model), or the peak of the profile',
      }),
    ),
    rate: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: LOADTEST_LIMITS.maxRate,
        description: 'iterations per second (open model)',
      }),
    ),
    duration: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 16,
        pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$',
        description: `1s to ${LOADTEST_LIMITS.maxDurationMs / 60_000}m; default: the profile's (10s without one)`,
      }),
    ),
    target: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'base URL; default and always allowed: this server; others only when listed in LOADTEST_ALLOW_HOSTS',
      }),
    ),
    thresholds: Type.Optional(
      Type.Array(Type.String({ minLength: 3, maxLength: 200 }), {
        maxItems: LOADTEST_LIMITS.maxThresholds,
        description: "k6 syntax, e.g. 'http_req_duration: p(95)<500'",
      }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const ListQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,3}$', description: `1 to ${LOADTEST_LIMITS.keepRuns}, default 50` }),
    ),
  },
  { additionalProperties: false },
);
export const ReportQuery = Type.Object(
  {
    format: Type.Optional(
      Enum(
        ['json', 'html', 'csv'],
        'json (default): the k6-shaped JSON report; html: the self-contained report page; csv',
      ),
    ),
  },
  { additionalProperties: false },
);
export const CompareQuery = Type.Object(
  {
    baseline: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'id of a saved baseline (the id of the run it was saved from)',
    }),
    tolerance: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,4}(\\.[0-9]{1,3})?$',
        description: 'allowed change in percent, 0 to 1000 (default 10)',
      }),
    ),
  },
  { additionalProperties: false },
);

const Progress = Type.Object({
  phase: Enum(['starting', 'running'], 'starting: seeding users / before the first second'),
  elapsedMs: Type.Number(),
  totalMs: Type.Number(),
  percent: Type.Number(),
  reqs: Type.Number(),
  rps: Type.Number(),
  errorRate: Type.Number(),
  p90Ms: Type.Number(),
  p99Ms: Type.Number(),
  vus: Type.Number(),
  dropped: Type.Number(),
  entry: Type.Optional(Type.Object({ index: Type.Integer(), count: Type.Integer(), label: Type.String() })),
});

export const RunSchema = Type.Object(
  {
    id: Type.String(),
    name: Nullable(Type.String()),
    kind: Enum(['scenario', 'suite'], 'one scenario or a suite'),
    preset: Type.String(),
    scenario: Nullable(Type.String()),
    suite: Nullable(Type.String()),
    profile: Nullable(Type.String()),
    target: Type.String(),
    status: Enum(
      ['running', 'passed', 'failed', 'stopped', 'error'],
      'failed: a threshold failed; error: the run could not run or its instance stopped',
    ),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Nullable(Type.String({ format: 'date-time' })),
    durationMs: Type.Number(),
    createdBy: Nullable(Type.String()),
    local: Type.Boolean({ description: 'this instance runs it (and holds its live progress)' }),
    stopRequested: Type.Boolean(),
    progress: Nullable(Progress),
    grade: Nullable(Type.String()),
    error: Nullable(Type.String()),
    baseline: Type.Boolean({ description: 'saved as a baseline' }),
    params: AnyObject,
    summary: Type.Optional(
      Nullable(
        Type.Object(
          {},
          {
            additionalProperties: true,
            description: 'k6-shaped: metrics.<name>.values, thresholds, checks, grade, recommendations',
          },
        ),
      ),
    ),
  },
  { $id: 'LoadTestRun' },
);

export const BaselineSchema = Type.Object({
  id: Type.String(),
  runId: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ComparisonSchema = Type.Object({
  run: Type.String(),
  baseline: Type.Object({ id: Type.String(), name: Type.String(), createdAt: Type.String({ format: 'date-time' }) }),
  tolerancePct: Type.Number(),
  regressed: Type.Boolean(),
  verdicts: Type.Array(
    Type.Object({
      metric: Type.String(),
      baseline: Type.Number(),
      current: Type.Number(),
      changePct: Type.Number(),
      ciPct: Type.Optional(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })),
      regressed: Type.Boolean(),
      method: Type.Optional(Type.String()),
    }),
  ),
});

export const PresetsSchema = Type.Object({
  limits: Type.Object({
    maxDurationMs: Type.Number(),
    maxVus: Type.Number(),
    maxRate: Type.Number(),
    maxThresholds: Type.Number(),
    keepRuns: Type.Number(),
    keepBaselines: Type.Number(),
  }),
  defaultTarget: Type.String(),
  allowHosts: Type.Array(Type.String()),
  notes: Type.Array(Type.String(), { description: 'what to know before running against this server' }),
  scenarios: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      attack: Type.Boolean(),
      selfNote: Type.Optional(Type.String()),
    }),
  ),
  profiles: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      model: Type.String(),
      durationMs: Type.Number(),
      vus: Type.Number(),
      rate: Type.Number(),
      thresholds: Type.Array(Type.String()),
    }),
  ),
  suites: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      durationMs: Type.Number(),
      attack: Type.Boolean(),
      entries: Type.Array(AnyObject),
    }),
  ),
  presets: Type.Array(
    Type.Object(
      {
        id: Type.String(),
        label: Type.String(),
        body: AnyObject,
        model: Type.String(),
        durationMs: Type.Number(),
        vus: Type.Optional(Type.Number()),
        rate: Type.Optional(Type.Number()),
        attack: Type.Boolean(),
      },
      { description: 'POST body runs it with its defaults' },
    ),
  ),
});

/** The report route answers in three formats. */
export const ReportResponse = {
  description:
    'The report: JSON as `tessera loadtest --out json` writes it (k6 summary keys, steps, grade, timeline, mergeable histograms), the self-contained HTML page, or CSV',
  content: {
    'application/json': { schema: Type.Object({}, { additionalProperties: true }) },
    'text/html': { schema: Type.String() },
    'text/csv': { schema: Type.String() },
  },
};
