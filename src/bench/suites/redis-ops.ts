import { createHistogram } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { benchKeyPrefix, deleteRedisPrefix, redisReachable } from '../services.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import type { Suite } from './types.js';

const KEYS = 10_000;
const BATCH = 10;
/** About the size of a cached session entry. */
const VALUE = randomBytes(300).toString('base64');

interface Op {
  name: string;
  /** Commands one call sends. */
  commands: number;
  call(redis: Redis, key: (i: number) => string, i: number): Promise<unknown>;
}

const OPS: Op[] = [
  { name: 'set', commands: 1, call: (r, key, i) => r.set(key(i), VALUE, 'PX', 600_000) },
  { name: 'get', commands: 1, call: (r, key, i) => r.get(key(i)) },
  {
    name: `mget ×${BATCH}`,
    commands: BATCH,
    call: (r, key, i) => r.mget(Array.from({ length: BATCH }, (_, j) => key(i + j))),
  },
  {
    name: `pipeline ×${BATCH} get`,
    commands: BATCH,
    call: (r, key, i) => {
      const p = r.pipeline();
      for (let j = 0; j < BATCH; j += 1) p.get(key(i + j));
      return p.exec();
    },
  },
  // Deletes then writes back, so every DEL removes a real key however long the run.
  {
    name: 'del (+ set back)',
    commands: 2,
    call: async (r, key, i) => {
      await r.del(key(i));
      await r.set(key(i), VALUE, 'PX', 600_000);
    },
  },
];

/** Calls `op` with `concurrency` callers for `ms`; returns calls/s, commands/s and latency percentiles. */
async function drive(redis: Redis, op: Op, key: (i: number) => string, concurrency: number, ms: number) {
  const latency = createHistogram();
  let calls = 0;
  let next = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op.call(redis, key, next++ % KEYS);
        latency.record(Math.max(1, Math.round((performance.now() - t) * 1e6)));
        calls += 1;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { callsPerSec: calls / seconds, p50Ms: latency.percentile(50) / 1e6, p99Ms: latency.percentile(99) / 1e6 };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];
const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** get/set/del/mget/pipeline against the configured Redis through ioredis, on keys under a private prefix. */
export const redisSuite: Suite = {
  name: 'redis',
  description: 'Redis operations through ioredis (get, set, del, mget, pipeline) on a private key prefix',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const base: SuiteResult = {
      suite: 'redis',
      title: 'Redis operations (ioredis, this process)',
      columns: [
        ['op', 'operation'],
        ['callsPerSec', 'calls/s'],
        ['commandsPerSec', 'commands/s'],
        ['p50Ms', 'p50 ms'],
        ['p99Ms', 'p99 ms'],
      ],
      rows: [],
      notes: [],
      skipped: [],
    };
    if (!(await redisReachable(settings.redisUrl))) {
      base.skipped.push(
        `redis: ${settings.redisUrl ? `Redis at ${settings.redisUrl} not reachable` : 'REDIS_URL not set'}`,
      );
      return base;
    }
    const prefix = benchKeyPrefix('redis');
    const key = (i: number) => `${prefix}${i % KEYS}`;
    const redis = new Redis(settings.redisUrl!, { maxRetriesPerRequest: 1 });
    try {
      const pipe = redis.pipeline();
      for (let i = 0; i < KEYS; i += 1) pipe.set(key(i), VALUE, 'PX', 600_000);
      await pipe.exec();
      const ms = Math.max(500, (settings.durationSec * 1000) / 2);
      const results = new Map<string, Array<Awaited<ReturnType<typeof drive>>>>(OPS.map((op) => [op.name, []]));
      for (let round = 0; round < settings.rounds; round += 1) {
        for (const op of round % 2 === 0 ? OPS : [...OPS].reverse())
          results.get(op.name)!.push(await drive(redis, op, key, settings.connections, ms));
      }
      for (const op of OPS) {
        const runs = results.get(op.name)!;
        const callsPerSec = median(runs.map((r) => r.callsPerSec));
        base.rows.push({
          op: op.name,
          callsPerSec: Math.round(callsPerSec),
          commandsPerSec: Math.round(callsPerSec * op.commands),
          p50Ms: round(median(runs.map((r) => r.p50Ms))),
          p99Ms: round(median(runs.map((r) => r.p99Ms))),
        });
      }
      base.notes.push(
        `${settings.connections} concurrent callers on one connection (ioredis pipelines them), ${ms} ms per operation per round, ${VALUE.length}-byte values, ${KEYS} keys`,
      );
      base.summary = { operations: base.rows };
      return base;
    } finally {
      redis.disconnect();
      await deleteRedisPrefix(settings.redisUrl!, prefix).catch(() => {});
    }
  },
};
