import { parseDuration } from '../../config/duration.js';
import { AGGREGATIONS, METRIC_KINDS, TAGS, type Operator, type Threshold } from './types.js';
import { asText } from '../as-text.js';

/** Windows keep one (sparse) histogram set per second: 10 minutes bounds that memory. */
const MAX_WINDOW_SEC = 600;
const EXPR =
  /^\s*([a-z]+(?:\(\s*\d+(?:\.\d+)?\s*\))?)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?:over\s+(\S+))?\s*$/i;
const METRIC = /^\s*([a-z_][a-z0-9_]*)\s*(?:\{([^{}]*)\})?\s*$/i;

export interface ThresholdOptions {
  abortOnFail?: boolean;
  delayAbortEval?: string;
}

/** Parses `http_req_duration{step:login}` into a metric and its tags; pushes problems into `errors`. */
export function parseMetricKey(
  source: string,
  errors: string[],
): { metric: string; tags: Record<string, string> } | undefined {
  const match = METRIC.exec(source);
  if (!match) {
    errors.push(`threshold metric "${source}" is not NAME or NAME{tag:value}`);
    return undefined;
  }
  const metric = match[1];
  if (!(metric in METRIC_KINDS)) {
    errors.push(`threshold metric "${metric}" is unknown (known: ${Object.keys(METRIC_KINDS).join(', ')})`);
    return undefined;
  }
  const tags: Record<string, string> = {};
  if (match[2] !== undefined) {
    for (const pair of match[2].split(',')) {
      const colon = pair.indexOf(':');
      const tag = colon < 0 ? '' : pair.slice(0, colon).trim();
      const value = colon < 0 ? '' : pair.slice(colon + 1).trim();
      if (!tag || !value) {
        errors.push(`threshold tag filter "${pair.trim()}" on ${metric} is not tag:value`);
        return undefined;
      }
      if (!(TAGS[metric] ?? []).includes(tag)) {
        errors.push(
          `threshold metric ${metric} cannot be filtered by tag "${tag}"${TAGS[metric] ? ` (allowed: ${TAGS[metric].join(', ')})` : ''}`,
        );
        return undefined;
      }
      tags[tag] = value;
    }
  }
  return { metric, tags };
}

/** Parses one expression (`p(95)<500`, `rate<0.01 over 30s`) for a metric. */
export function parseExpression(
  metricKey: string,
  metric: string,
  tags: Record<string, string>,
  expr: string,
  options: ThresholdOptions,
  errors: string[],
): Threshold | undefined {
  const match = EXPR.exec(expr);
  if (!match) {
    errors.push(`threshold "${metricKey}: ${expr}" is not AGGREGATION OP NUMBER [over DURATION], e.g. p(95)<500`);
    return undefined;
  }
  const kind = METRIC_KINDS[metric];
  const rawAgg = match[1].replace(/\s+/g, '').toLowerCase();
  let aggregation = rawAgg;
  let percentile: number | undefined;
  const pct = /^p\((\d+(?:\.\d+)?)\)$/.exec(rawAgg);
  if (pct) {
    percentile = Number(pct[1]);
    aggregation = 'p(N)';
    if (!(percentile >= 0 && percentile <= 100)) {
      errors.push(`threshold "${metricKey}: ${expr}": percentile must be between 0 and 100`);
      return undefined;
    }
  }
  if (!AGGREGATIONS[kind].includes(aggregation)) {
    errors.push(
      `threshold "${metricKey}: ${expr}": ${rawAgg} does not apply to ${metric} (a ${kind}; use ${AGGREGATIONS[kind].join(', ')})`,
    );
    return undefined;
  }
  const value = Number(match[3]);
  let windowSec: number | undefined;
  if (match[4] !== undefined) {
    const ms = parseDuration(match[4]);
    if (ms === undefined || ms < 1000 || ms % 1000 !== 0 || ms / 1000 > MAX_WINDOW_SEC) {
      errors.push(`threshold "${metricKey}: ${expr}": window "${match[4]}" must be whole seconds between 1s and 10m`);
      return undefined;
    }
    windowSec = ms / 1000;
  }
  let delayAbortEvalMs = 0;
  if (options.delayAbortEval !== undefined) {
    const ms = parseDuration(String(options.delayAbortEval));
    if (ms === undefined) {
      errors.push(`threshold "${metricKey}: ${expr}": delayAbortEval "${options.delayAbortEval}" is not a duration`);
      return undefined;
    }
    delayAbortEvalMs = ms;
  }
  const normalized = `${rawAgg}${match[2]}${match[3]}${windowSec !== undefined ? ` over ${match[4]}` : ''}`;
  return {
    key: `${metricKey.trim()}: ${normalized}`,
    metric,
    tags,
    aggregation: pct ? 'p' : aggregation,
    percentile,
    op: match[2] as Operator,
    value,
    windowSec,
    abortOnFail: options.abortOnFail === true,
    delayAbortEvalMs,
  };
}

/** The CLI spelling: `METRIC[{tag:value}]: EXPR`. */
export function parseThresholdFlag(source: string, abortOnFail: boolean, errors: string[]): Threshold | undefined {
  const close = source.lastIndexOf('}');
  const colon = source.indexOf(':', close < 0 ? 0 : close);
  if (colon < 0) {
    errors.push(`threshold "${source}" is not 'METRIC: EXPR', e.g. 'http_req_duration: p(95)<500'`);
    return undefined;
  }
  const metricKey = source.slice(0, colon).trim();
  const parsed = parseMetricKey(metricKey, errors);
  if (!parsed) return undefined;
  return parseExpression(
    metricKey,
    parsed.metric,
    parsed.tags,
    source.slice(colon + 1).trim(),
    { abortOnFail },
    errors,
  );
}

/**
 * k6's object form from a config file: `{ "http_req_duration": ["p(95)<500",
 * { "threshold": "p(99)<1000", "abortOnFail": true, "delayAbortEval": "10s" }] }`.
 */
export function parseThresholdObject(input: unknown, errors: string[]): Threshold[] {
  const out: Threshold[] = [];
  if (input === undefined || input === null) return out;
  if (typeof input !== 'object' || Array.isArray(input)) {
    errors.push('thresholds must be an object of METRIC → [expressions]');
    return out;
  }
  for (const [metricKey, list] of Object.entries(input as Record<string, unknown>)) {
    const parsed = parseMetricKey(metricKey, errors);
    if (!parsed) continue;
    const items = Array.isArray(list) ? list : [list];
    for (const item of items) {
      if (typeof item === 'string') {
        const t = parseExpression(metricKey, parsed.metric, parsed.tags, item, {}, errors);
        if (t) out.push(t);
      } else if (item && typeof item === 'object' && typeof (item as { threshold?: unknown }).threshold === 'string') {
        const obj = item as { threshold: string; abortOnFail?: unknown; delayAbortEval?: unknown };
        if (obj.abortOnFail !== undefined && typeof obj.abortOnFail !== 'boolean')
          errors.push(`threshold "${metricKey}: ${obj.threshold}": abortOnFail must be true or false`);
        const t = parseExpression(
          metricKey,
          parsed.metric,
          parsed.tags,
          obj.threshold,
          {
            abortOnFail: obj.abortOnFail === true,
            delayAbortEval: obj.delayAbortEval === undefined ? undefined : asText(obj.delayAbortEval),
          },
          errors,
        );
        if (t) out.push(t);
      } else {
        errors.push(`threshold for ${metricKey} must be a string or {threshold, abortOnFail?, delayAbortEval?}`);
      }
    }
  }
  return out;
}
