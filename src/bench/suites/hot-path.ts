import { measureInterleaved, ratio } from '../interleave.js';
import { startTarget, stopAll, type TargetHandle } from '../targets.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import { figuresColumns, figuresRow } from '../report.js';
import type { Suite } from './types.js';

/** Tessera ÷ bare node:http, with every default layer on: the floor the hot path must hold. */
export const HOT_PATH_FLOOR = 0.45;

export const hotPathSuite: Suite = {
  name: 'hot-path',
  description: 'GET /v1/auth/session from L1 (embedded, default layers) against bare node:http sending the same bytes',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const started: TargetHandle[] = [];
    try {
      const tessera = await startTarget('tessera', { kind: 'tessera', env: {} }, settings);
      started.push(tessera);
      const bare = await startTarget('node:http', { kind: 'bare-http', response: tessera.info.captured! }, settings);
      started.push(bare);
      const { against } = settings;
      if (against) {
        const name = `tessera @ ${against.label}`;
        started.push(await startTarget(name, { kind: 'tessera', env: {} }, { ...settings, distDir: against.distDir }));
      }
      const figures = await measureInterleaved(started, settings);
      const [t, b, other] = figures as [(typeof figures)[0], (typeof figures)[0], (typeof figures)[0] | undefined];
      const value = ratio(t.reqPerSec, b.reqPerSec);
      // The same comparison in server CPU per request: what the ratio would be were the server alone on its core.
      const cpuRatio = t.cpuMicrosPerRequest ? ratio(b.cpuMicrosPerRequest ?? 0, t.cpuMicrosPerRequest) : null;
      const bestCpuRatio = t.bestCpuMicrosPerRequest
        ? ratio(b.bestCpuMicrosPerRequest ?? 0, t.bestCpuMicrosPerRequest)
        : null;
      // This build ÷ the --against build, measured in the same interleaved rounds.
      const againstRatio = other ? ratio(t.reqPerSec, other.reqPerSec) : null;
      const againstCpuRatio =
        other?.cpuMicrosPerRequest && t.cpuMicrosPerRequest
          ? ratio(other.cpuMicrosPerRequest, t.cpuMicrosPerRequest)
          : null;
      return {
        suite: 'hot-path',
        title: 'Hot path: session validation from L1 vs bare node:http (same response bytes)',
        columns: figuresColumns('ratio'),
        rows: figures.map((f) => figuresRow(f, b)),
        summary: {
          ratio: value,
          cpuRatio,
          bestCpuRatio,
          floor: HOT_PATH_FLOOR,
          meetsFloor: value >= HOT_PATH_FLOOR,
          ...(against ? { against: { label: against.label, ratio: againstRatio, cpuRatio: againstCpuRatio } } : {}),
          responseBytes: Buffer.byteLength(tessera.info.captured!.body),
          responseHeaders: tessera.info.captured!.headers,
          targets: figures,
        },
        notes: [
          `CPU ratio = node:http CPU/req ÷ Tessera CPU/req = ${cpuRatio} (the ratio a server alone on its core would see; best rounds: ${bestCpuRatio})`,
          `ratio = Tessera req/s ÷ node:http req/s = ${value} (floor ${HOT_PATH_FLOOR}${value >= HOT_PATH_FLOOR ? ', met' : ', NOT MET'})`,
          `Tessera's load cycles through ${tessera.info.sessions?.length ?? 1} distinct session(s), all in L1.`,
          ...(against
            ? [
                `this build ÷ ${against.label} = ${againstRatio} req/s, ${againstCpuRatio} by CPU per request (1 = same cost)`,
              ]
            : []),
        ],
        skipped: [],
      };
    } finally {
      await stopAll(started);
    }
  },
};
