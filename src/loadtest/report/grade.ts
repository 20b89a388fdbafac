import type { Report } from './types.js';

const LETTERS = ['A', 'B', 'C', 'D', 'F'] as const;

/**
 * A–F from what users feel (latency, errors), capped by what went wrong (failed thresholds,
 * dropped iterations), with recommendations that use the target's own /metrics when it had them.
 */
export function gradeRun(
  report: Pick<Report, 'metrics' | 'thresholds' | 'errors' | 'generator' | 'target' | 'steps'>,
): { grade: string; recommendations: string[] } {
  const recs: string[] = [];
  const p95 = report.metrics.http_req_duration?.values['p(95)'] ?? 0;
  const p99 = report.metrics.http_req_duration?.values['p(99)'] ?? 0;
  const errorRate = report.metrics.http_req_failed?.values.rate ?? 0;
  const reqs = report.metrics.http_reqs?.values.count ?? 0;
  const iterations = report.metrics.iterations?.values.count ?? 0;
  const dropped = report.metrics.dropped_iterations?.values.count ?? 0;

  let level = p95 < 100 ? 0 : p95 < 300 ? 1 : p95 < 800 ? 2 : p95 < 2000 ? 3 : 4;
  const cap = (l: number): void => {
    level = Math.max(level, l);
  };
  if (reqs === 0) {
    cap(4);
    recs.push('No request completed: check that the target is reachable and the scenario fits it.');
  }
  if (errorRate > 0.05) cap(4);
  else if (errorRate > 0.01) cap(3);
  else if (errorRate > 0.001) cap(1);
  const failed = Object.entries(report.thresholds)
    .filter(([, r]) => !r.ok)
    .map(([k]) => k);
  if (failed.length) {
    cap(3);
    recs.push(`Thresholds failed: ${failed.join('; ')}.`);
  }
  if (dropped > 0 && dropped > 0.01 * (iterations + dropped)) {
    cap(2);
    recs.push(
      `${dropped} iterations were dropped: the VU cap was reached because responses came back too slowly for the arrival rate. Raise --max-vus, or the target is past its capacity.`,
    );
  }
  if (p99 > 4 * Math.max(p95, 1) && p99 > 200)
    recs.push(
      `p99 (${p99} ms) is far above p95 (${p95} ms): look for pauses on the target (GC, event-loop stalls, lock waits, cold caches).`,
    );

  const kinds = Object.keys(report.errors);
  if (kinds.some((k) => k.startsWith('429')))
    recs.push(
      'The target answered 429: its rate limits throttled the load. Spread clients (X-Forwarded-For with TRUST_PROXY on the target) or raise the limits for the test.',
    );
  if (kinds.some((k) => /^5\d\d/.test(k)))
    recs.push('The target answered 5xx: check its logs and dependencies (database pool, Redis) at this load.');
  if (kinds.some((k) => k === 'timeout'))
    recs.push('Requests timed out: the target is saturated or a dependency is slow.');
  if (kinds.some((k) => /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/.test(k)))
    recs.push(
      'Connections were refused or reset: the target restarted, is overloaded, or its backlog/file-descriptor limits are too low.',
    );

  const t = report.target;
  if (t.scraped) {
    if (t.cacheHitRate !== undefined && t.cacheHitRate < 0.8)
      recs.push(
        `Target cache hit rate was ${(t.cacheHitRate * 100).toFixed(1)}%: raise SESSION_L1_TTL / SESSION_L1_MAX, enable Redis (L2), or check warming.`,
      );
    if (t.eventLoopLagP99Ms !== undefined && t.eventLoopLagP99Ms > 100) {
      cap(2);
      recs.push(
        `Target event-loop lag reached ${t.eventLoopLagP99Ms} ms: it is CPU-bound; run more instances (serve --workers N) or move work off the loop.`,
      );
    }
    if (t.cpu !== undefined && t.cpu > 0.9)
      recs.push(
        `Target used ${Math.round(t.cpu * 100)}% of a core: it is at its CPU limit; scale out for more throughput.`,
      );
  } else {
    for (const [name, step] of Object.entries(report.steps)) {
      if (step.cacheHitRate !== undefined && step.cacheHitRate < 0.8)
        recs.push(
          `Step ${name}: only ${(step.cacheHitRate * 100).toFixed(1)}% of validations were served from cache (Server-Timing).`,
        );
    }
  }
  if (report.generator.saturated)
    recs.push(
      `The generator itself was the bottleneck (${report.generator.reasons.join(', ')}): these figures understate the target. Use --workers N or a bigger machine.`,
    );
  if (report.generator.contended)
    recs.push(
      `The generator's event loop ran up to ${report.generator.eventLoopLagP99Ms} ms late while mostly idle: the machine was short of CPU (the target or other work on the same cores). Run the generator on another machine for clean figures.`,
    );
  if (recs.length === 0)
    recs.push('No problems found at this load. Raise the load (profile stress or breakpoint) to find the limit.');
  return { grade: LETTERS[level], recommendations: recs };
}
