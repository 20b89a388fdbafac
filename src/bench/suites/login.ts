import { availableParallelism } from 'node:os';
import { measureInterleaved, ratio, type TargetFigures } from '../interleave.js';
import { asLoginLoad, LOGIN_PASSWORD } from '../login-load.js';
import { figuresColumns, figuresRow } from '../report.js';
import { startTarget, stopAll, type TargetHandle } from '../targets.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import type { Suite } from './types.js';

/** Login rate limits lifted so the load measures the login itself; every layer stays on. */
export const LOGIN_LOAD_ENV = {
  RATE_LIMIT_IP_PER_MIN: '10000000',
  RATE_LIMIT_LOGIN_PER_MIN: '10000000',
  RATE_LIMIT_USER_PER_MIN: '10000000',
};

const RAW = 'raw argon2 verify';
const TESSERA = 'Tessera POST /v1/auth/login';

/**
 * Raw `@node-rs/argon2` verify (node:http + one verify per request) against Tessera's `POST /v1/auth/login` (every
 * default layer; PASSWORD_HASH_CONCURRENCY = the cores) at the same concurrency, interleaved: once with as many
 * connections as hash slots, once with twice as many (the queue in front of the hasher kept full).
 */
export const loginSuite: Suite = {
  name: 'login',
  description: 'POST /v1/auth/login against raw argon2 verify at the same concurrency (throughput and CPU per login)',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const cores = availableParallelism();
    const rows: SuiteResult['rows'] = [];
    const summary: Record<string, unknown> = { hashConcurrency: cores };
    const notes: string[] = [];
    for (const connections of [cores, cores * 2]) {
      settings.log(`  login at ${connections} connections (PASSWORD_HASH_CONCURRENCY=${cores})`);
      const figures = await measureLogins({ ...settings, connections }, cores);
      const raw = figures.find((f) => f.name === RAW)!;
      const tessera = figures.find((f) => f.name === TESSERA)!;
      const cpuRatio =
        raw.cpuMicrosPerRequest && tessera.cpuMicrosPerRequest
          ? ratio(tessera.cpuMicrosPerRequest, raw.cpuMicrosPerRequest)
          : null;
      for (const f of figures)
        rows.push({
          ...figuresRow(f, raw),
          connections,
        });
      summary[`connections${connections}`] = {
        throughputRatio: ratio(tessera.reqPerSec, raw.reqPerSec),
        cpuRatio,
        extraCpuMicrosPerLogin:
          raw.cpuMicrosPerRequest && tessera.cpuMicrosPerRequest
            ? Math.round(tessera.cpuMicrosPerRequest - raw.cpuMicrosPerRequest)
            : null,
        targets: figures,
      };
      notes.push(
        `${connections} connections: login ÷ raw verify = ${ratio(tessera.reqPerSec, raw.reqPerSec)} in req/s (aim ≥ 0.95), CPU per login ÷ CPU per verify = ${cpuRatio} (aim ≤ 1.05)`,
      );
    }
    return {
      suite: 'login',
      title: `Login: Tessera's POST /v1/auth/login against raw argon2 verify, ${cores} hash slots`,
      columns: [
        ['target', 'target'],
        ['connections', 'conns'],
        ...figuresColumns('÷ raw verify').slice(1),
        ['cpuRatio', 'CPU ÷ raw'],
      ],
      rows,
      summary,
      notes: [
        ...notes,
        'raw argon2 verify: node:http answering each POST after one @node-rs/argon2 verify with the same parameters (argon2id, 19 MiB, 2 passes); at most one verify per connection in flight',
        'Tessera: every default layer on, login rate limits lifted (RATE_LIMIT_*_PER_MIN) so every login reaches the hash; each login opens a session',
      ],
      skipped: [],
    };
  },
};

async function measureLogins(settings: BenchSettings, cores: number): Promise<TargetFigures[]> {
  const started: TargetHandle[] = [];
  try {
    settings.log(`  starting ${RAW}`);
    const raw = await startTarget(RAW, { kind: 'argon2-verify', password: LOGIN_PASSWORD }, settings);
    started.push(raw);
    settings.log(`  starting ${TESSERA}`);
    const tessera = await startTarget(
      TESSERA,
      { kind: 'tessera', env: { ...LOGIN_LOAD_ENV, PASSWORD_HASH_CONCURRENCY: String(cores) } },
      settings,
    );
    started.push(tessera);
    return await measureInterleaved([await asLoginLoad(raw, false), await asLoginLoad(tessera, true)], settings);
  } finally {
    await stopAll(started);
  }
}
