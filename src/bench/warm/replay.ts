import { Pool } from 'undici';

export interface ReplayOptions {
  tokens: string[];
  /** Validations per second, sent at a steady pace. */
  rate: number;
  durationSec: number;
  /** Buckets reported: the first `firstSec` seconds and the whole run. */
  firstSec: number;
}

export interface ReplayWindow {
  validations: number;
  /** Served from L1 or L2, over validations answered 200. */
  hitRate: number | null;
  l1: number;
  l2: number;
  db: number;
  /** Database queries the validations caused (x-db-queries). */
  dbQueries: number;
  failed: number;
}

interface Sample {
  at: number;
  tier: string | undefined;
  dbQueries: number;
  ok: boolean;
}

const TICK_MS = 10;

const shuffled = <T>(items: readonly T[]): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

/**
 * Replays the sessions' validations at a steady rate, in random order (each pass over the tokens is a fresh
 * shuffle, so each session is validated about once per tokens/rate seconds), and tallies where each was served
 * (the `cache` entry of Server-Timing).
 */
export async function replayValidations(
  url: string,
  options: ReplayOptions,
): Promise<Record<'first' | 'all', ReplayWindow>> {
  const pool = new Pool(url, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const samples: Sample[] = [];
  const pending = new Set<Promise<void>>();
  let order = shuffled(options.tokens);
  let next = 0;
  const perTick = options.rate / (1000 / TICK_MS);
  const started = Date.now();
  const total = Math.round(options.rate * options.durationSec);
  let sent = 0;
  try {
    while (sent < total) {
      // Catch up to where a steady pace would be now (a late timer sends the backlog at once).
      const due = Math.min(total, Math.floor(((Date.now() - started) / TICK_MS + 1) * perTick));
      for (; sent < due; sent++) {
        if (next === order.length) {
          order = shuffled(options.tokens);
          next = 0;
        }
        const token = order[next++];
        const at = Date.now() - started;
        const request = pool
          .request({ method: 'GET', path: '/v1/auth/session', headers: { authorization: `Bearer ${token}` } })
          .then(async (res) => {
            await res.body.dump();
            const timing = String(res.headers['server-timing'] ?? '');
            samples.push({
              at,
              tier: /cache;desc="(\w+)"/.exec(timing)?.[1],
              dbQueries: Number(res.headers['x-db-queries'] ?? 0),
              ok: res.statusCode === 200,
            });
          })
          .catch(() => {
            samples.push({ at, tier: undefined, dbQueries: 0, ok: false });
          })
          .finally(() => pending.delete(request));
        pending.add(request);
      }
      await new Promise((r) => setTimeout(r, TICK_MS));
    }
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  return {
    first: tally(samples.filter((s) => s.at < options.firstSec * 1000)),
    all: tally(samples),
  };
}

function tally(samples: Sample[]): ReplayWindow {
  const ok = samples.filter((s) => s.ok);
  const count = (tier: string) => ok.filter((s) => s.tier === tier).length;
  const [l1, l2, db] = [count('L1'), count('L2'), count('DB')];
  return {
    validations: samples.length,
    hitRate: ok.length === 0 ? null : (l1 + l2) / ok.length,
    l1,
    l2,
    db,
    dbQueries: samples.reduce((sum, s) => sum + s.dbQueries, 0),
    failed: samples.length - ok.length,
  };
}
