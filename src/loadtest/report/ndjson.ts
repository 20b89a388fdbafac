import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { MetricsSet } from '../metrics/metrics-set.js';
import { metricsOf, stepsOf } from './build.js';

/** One second of a run as one JSON line: k6's metric map for that second, per-step (tag) metrics and counters. */
export function secondLine(t: number, set: MetricsSet, startedAtMs: number): Record<string, unknown> {
  return {
    type: 'second',
    t,
    time: new Date(startedAtMs + t * 1000).toISOString(),
    metrics: metricsOf(set, 1, []),
    steps: stepsOf(set, 1),
    counters: { ...set.counters },
  };
}

/**
 * --out ndjson=F: a line per second written while the run goes (other tools can tail it, as k6's --out json),
 * then a last `{"type":"summary"}` line with the thresholds and totals.
 */
export class NdjsonStream {
  private readonly stream: WriteStream;
  private readonly startedAtMs = Date.now();

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path);
  }

  readonly second = (t: number, set: MetricsSet): void => {
    this.stream.write(`${JSON.stringify(secondLine(t, set, this.startedAtMs))}\n`);
  };

  close(summary: Record<string, unknown>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.end(`${JSON.stringify({ type: 'summary', ...summary })}\n`, () => resolve());
      this.stream.once('error', reject);
    });
  }
}
