export type MetricKind = 'trend' | 'rate' | 'counter' | 'gauge';

export const METRIC_KINDS: Record<string, MetricKind> = {
  http_req_duration: 'trend',
  iteration_duration: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
  vus: 'gauge',
  vus_max: 'gauge',
  // bruteforce / bot (scenarios/attack-population.ts)
  attack_blocked: 'rate',
  legit_failed: 'rate',
  bans_seen: 'counter',
  attack_time_to_block: 'trend',
  // Read from the target's /metrics during the run (monitor/target-series.ts), judged at the end.
  target_cpu: 'gauge',
  target_memory: 'gauge',
  target_event_loop_lag: 'gauge',
  target_redis_latency: 'gauge',
  target_db_latency: 'gauge',
};

export const AGGREGATIONS: Record<MetricKind, string[]> = {
  trend: ['avg', 'min', 'max', 'med', 'count', 'p(N)'],
  rate: ['rate', 'passes', 'fails'],
  counter: ['count', 'rate'],
  gauge: ['value', 'min', 'max', 'avg'],
};

/** Tags a metric can be filtered on: `http_req_duration{step:login}`. */
export const TAGS: Record<string, string[]> = {
  http_req_duration: ['step'],
  http_req_failed: ['step', 'status'],
  http_reqs: ['step', 'status'],
  checks: ['check'],
};

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface Threshold {
  /** `METRIC: EXPR` exactly as reported in the JSON `thresholds` object. */
  key: string;
  metric: string;
  tags: Record<string, string>;
  aggregation: string;
  /** For p(N): the percentile. */
  percentile?: number;
  op: Operator;
  value: number;
  /** Sliding window in seconds (`over 30s`), or undefined for the whole run. */
  windowSec?: number;
  abortOnFail: boolean;
  /** Aborts only once the run is this old (k6 delayAbortEval). */
  delayAbortEvalMs: number;
}

export interface ThresholdResult {
  ok: boolean;
  value: number;
}
