import { runLoad } from './load.js';
import type { TargetHandle } from './targets.js';
import type { BenchSettings, LoadResult } from './types.js';

export interface TargetFigures extends LoadResult {
  name: string;
  /** The least disturbed round's CPU per request: the fairer reading on a busy shared machine. */
  bestCpuMicrosPerRequest?: number;
  /** Every round's figures; the headline figures are their medians. */
  rounds: LoadResult[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Measures several running targets side by side: a short warm-up each, then `rounds` rounds in which every
 * target gets the same load for the same time, the order reversed every other round so neither drift in the
 * machine's load nor going first favours one target. Headline figures are medians over rounds.
 */
export async function measureInterleaved(targets: TargetHandle[], settings: BenchSettings): Promise<TargetFigures[]> {
  const load = async (target: TargetHandle, durationSec: number): Promise<LoadResult> => {
    const cpuBefore = await target.cpuMicros();
    const result = await runLoad(
      {
        url: target.info.url,
        headers: target.info.headers,
        method: target.info.method,
        body: target.info.body,
        sessions: target.info.sessions,
        connections: settings.connections,
        durationSec,
        cpu: settings.pinning?.generatorCpu,
      },
      settings.generator,
    );
    const cpu = (await target.cpuMicros()) - cpuBefore;
    return {
      ...result,
      cpuMicrosPerRequest: result.requests > 0 ? Math.round((cpu / result.requests) * 10) / 10 : undefined,
    };
  };
  const warmupSec = Math.max(1, Math.min(2, Math.round(settings.durationSec / 2)));
  for (const target of targets) {
    settings.log(`  warm-up ${target.name} (${warmupSec}s)`);
    await load(target, warmupSec);
  }
  const rounds = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < settings.rounds; round += 1) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const result = await load(target, settings.durationSec);
      settings.log(
        `  round ${round + 1}/${settings.rounds} ${target.name}: ${Math.round(result.reqPerSec)} req/s, p99 ${result.p99Ms} ms, ${result.cpuMicrosPerRequest} µs CPU/req${result.non2xx || result.errors ? ` (${result.non2xx} non-2xx, ${result.errors} errors)` : ''}`,
      );
      rounds.get(target.name)!.push(result);
    }
  }
  return targets.map((target) => {
    const results = rounds.get(target.name)!;
    return {
      name: target.name,
      reqPerSec: Math.round(median(results.map((r) => r.reqPerSec))),
      p50Ms: median(results.map((r) => r.p50Ms)),
      p99Ms: median(results.map((r) => r.p99Ms)),
      requests: results.reduce((sum, r) => sum + r.requests, 0),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
      cpuMicrosPerRequest: median(results.map((r) => r.cpuMicrosPerRequest ?? 0)),
      bestCpuMicrosPerRequest: Math.min(...results.map((r) => r.cpuMicrosPerRequest ?? Infinity)),
      rounds: results,
    };
  });
}

export const ratio = (value: number, reference: number): number =>
  reference > 0 ? Math.round((value / reference) * 1000) / 1000 : 0;
