import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { viewOf } from '../../src/observability/aggregate.js';
import { History } from '../../src/observability/history.js';
import type { HistoryStore } from '../../src/observability/history-store.js';
import { MemoryHistoryStore } from '../../src/observability/history-store-memory.js';
import { RedisHistoryStore } from '../../src/observability/history-store-redis.js';
import { Recorder } from '../../src/observability/recorder.js';
import { describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A clock tests move by hand. */
function clock(start = T0) {
  let now = start;
  return {
    now: () => now,
    set: (t: number) => {
      now = t;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function instance(store: HistoryStore, id: string, c: ReturnType<typeof clock>) {
  const recorder = new Recorder({ now: c.now });
  return { recorder, history: new History({ recorder, store, instanceId: id, retentionMs: 86_400_000, now: c.now }) };
}

describe('Recorder', () => {
  it('aggregates seconds into a window and a minute without keeping samples', () => {
    const c = clock();
    const r = new Recorder({ now: c.now });
    for (let s = 0; s < 60; s++) {
      c.set(T0 + s * 1000);
      for (let i = 0; i < 10; i++) r.request(i === 9 ? 100 : 2, s === 59 && i === 0 ? 503 : 200);
      r.cacheLookup('l1', i(s) ? 'hit' : 'miss');
      r.sessionWrite(s % 30 === 0);
      r.processSample({ lagMs: s === 10 ? 40 : 1, rssBytes: 1000 + s, cpuPercent: 10 });
    }
    const minute = viewOf(r.minute(T0));
    expect(minute.requests).toBe(600);
    expect(minute.errors).toBe(1);
    expect(minute.p50Ms).toBeCloseTo(2, 0);
    expect(minute.p99Ms).toBeGreaterThan(90);
    expect(minute.hitRate.l1).toBeCloseTo(45 / 60, 5);
    expect(minute.sessionWrites).toBe(2);
    expect(minute.sessionWritesSkipped).toBe(58);
    expect(minute.eventLoopLagMs).toBe(40);
    expect(minute.rssBytes).toBe(1059);
    const last10 = viewOf(r.window(10));
    expect(last10.requests).toBe(100);
    expect(last10.requestsPerSec).toBe(10);
  });
});
const i = (s: number): boolean => s % 4 !== 0;

function historyContract(
  name: string,
  makeStore: () => Promise<HistoryStore>,
  cleanup: () => Promise<void> = async () => {},
) {
  describe(`History over ${name}`, () => {
    afterAll(cleanup);

    it('writes each completed minute once and reads it back', async () => {
      const store = await makeStore();
      const c = clock(T0 + 5_000);
      const a = instance(store, 'a', c);
      c.set(T0 + 60_000 + 500); // minute 1 starts
      for (let k = 0; k < 30; k++) a.recorder.request(5, 200);
      c.set(T0 + 120_000 + 2_000); // minute 1 complete
      await a.history.tick();
      const points = await a.history.history(5 * 60_000);
      expect(points).toHaveLength(5);
      const minute1 = points.find((p) => p.t === T0 + 60_000)!;
      expect(minute1.requests).toBe(30);
      expect(points.filter((p) => p.requests > 0)).toHaveLength(1);
    });

    it('merges every instance into one view (history and live)', async () => {
      const store = await makeStore();
      const c = clock(T0 + 3_600_000);
      const a = instance(store, 'a', c);
      const b = instance(store, 'b', c);
      c.advance(61_000);
      for (let k = 0; k < 10; k++) a.recorder.request(1, 200);
      for (let k = 0; k < 20; k++) b.recorder.request(1, 500);
      a.recorder.cacheLookup('l1', 'hit');
      b.recorder.cacheLookup('l1', 'miss');
      await a.history.tick();
      await b.history.tick();
      const live = viewOf(await a.history.live());
      expect(live.requests).toBe(30);
      expect(live.errors).toBe(20);
      expect(live.instances).toBe(2);
      c.advance(61_000);
      await a.history.tick();
      await b.history.tick();
      const fromB = (await b.history.history(3 * 60_000)).filter((p) => p.requests > 0);
      expect(fromB).toHaveLength(1);
      expect(fromB[0]).toMatchObject({ requests: 30, errors: 20, instances: 2 });
      expect(fromB[0].hitRate.l1).toBe(0.5);
    });
  });
}

historyContract('memory', async () => MemoryHistoryStore.memory(86_400_000));

let dir: string;
historyContract(
  'a file',
  async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'tessera-hist-'));
    return MemoryHistoryStore.file(join(dir, `h-${Math.random()}.jsonl`), 86_400_000, T0);
  },
  async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  },
);

describe('file history survives a restart', () => {
  it('reloads what was written, within retention', async () => {
    const d = await mkdtemp(join(tmpdir(), 'tessera-hist-'));
    try {
      const path = join(d, 'h.jsonl');
      const c = clock(T0 + 1_000);
      const first = instance(await MemoryHistoryStore.file(path, 86_400_000, c.now()), 'a', c);
      c.advance(60_000);
      first.recorder.request(3, 200);
      c.advance(61_000);
      await first.history.tick();
      const reopened = instance(await MemoryHistoryStore.file(path, 86_400_000, c.now()), 'a2', c);
      const points = (await reopened.history.history(10 * 60_000)).filter((p) => p.requests > 0);
      expect(points).toHaveLength(1);
      const expired = await MemoryHistoryStore.file(path, 60_000, c.now() + 3_600_000);
      expect((await expired.readMinutes(0, Number.MAX_SAFE_INTEGER)).size).toBe(0);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});

describeWith(['redis'], 'History over Redis', () => {
  let redis: Redis;
  const prefix = uniquePrefix('hist');
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deleteRedisPrefix(REDIS_URL, prefix);
    redis.disconnect();
  });
  historyContract('redis', async () => new RedisHistoryStore(redis, `${prefix}${Math.random()}:`, 86_400_000));

  it('expires minutes after the retention window', async () => {
    const store = new RedisHistoryStore(redis, prefix, 3_600_000);
    const c = clock();
    const a = instance(store, 'a', c);
    a.recorder.request(1, 200);
    await store.writeMinute('a', a.recorder.minute(T0));
    const ttl = await redis.pttl(`${prefix}{metrics}:min:${T0}`);
    expect(ttl).toBeGreaterThan(3_600_000);
    expect(ttl).toBeLessThanOrEqual(3_660_000);
  });
});
