/**
 * Forked by load.ts: runs one autocannon measurement in its own process, so the load generator never
 * shares an event loop with the server it measures or with the bench driver.
 */
import { createHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type { LoadRequest, LoadResult } from './types.js';

process.once('message', (request: LoadRequest) => {
  // autocannon's own latency histogram has whole-millisecond resolution; a hot path answers well under 1 ms.
  const latency = createHistogram({ lowest: 1, highest: 60_000_000_000, figures: 3 });
  const instance = autocannon(
    {
      url: request.url,
      headers: request.headers,
      method: request.method ?? 'GET',
      body: request.body,
      // autocannon stops at the end of `requests` only when it is given `amount`; here it cycles until `duration`.
      // One request per distinct session, in turn: autocannon cycles through `requests` on every connection.
      requests: sessionRequests(request),
      connections: request.connections,
      duration: request.durationSec,
      pipelining: 1,
      timeout: 10,
    },
    (error, result) => {
      if (error) {
        process.send!({ error: error.message }, () => process.exit(1));
        return;
      }
      const out: LoadResult = {
        reqPerSec: result.requests.total / result.duration,
        p50Ms: latency.count > 0 ? round(latency.percentile(50) / 1e6) : result.latency.p50,
        p99Ms: latency.count > 0 ? round(latency.percentile(99) / 1e6) : result.latency.p99,
        requests: result.requests.total,
        errors: result.errors,
        non2xx: result.non2xx,
      };
      process.send!({ result: out }, () => process.exit(0));
    },
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTimeMs: number) => {
    if (statusCode >= 200 && statusCode < 300) latency.record(Math.max(1, Math.round(responseTimeMs * 1e6)));
  });
});

/** Every connection walks the sessions from its own starting point, so the connections do not move in step. */
function sessionRequests(
  request: LoadRequest,
): Array<{ setupRequest: (req: { headers?: Record<string, string> }) => object }> | undefined {
  const sessions = request.sessions;
  if (!sessions?.length) return undefined;
  let next = 0;
  return [
    {
      setupRequest: (req) => {
        const set = sessions[next];
        next = next + 1 === sessions.length ? 0 : next + 1;
        return { ...req, headers: { ...request.headers, ...set } };
      },
    },
  ];
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
