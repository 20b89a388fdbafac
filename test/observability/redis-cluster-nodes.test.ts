import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisNodeInfo } from '../../src/observability/index.js';
import { startRedisCluster, type OwnRedisCluster } from '../helpers/redis-cluster.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { eventually } from './harness.js';
import { promSample } from './support/prometheus.js';

/** Nodes on 33020-33025, their cluster bus on 33070-33075 (the monitors port range). */
const BASE_PORT = 33020;

describe('per-node metrics of a Redis Cluster (3 masters, 3 replicas)', () => {
  let cluster: OwnRedisCluster;
  let server: TestTessera;
  let api: ReturnType<typeof apiClient>;
  let admin: string;
  const ADMIN = 'cluster-admin@example.test';
  const scrape = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();
  const cache = async () => (await api('GET', '/v1/admin/cache', undefined, { token: admin })).body;

  beforeAll(async () => {
    cluster = await startRedisCluster(3, { replicasPerMaster: 1, basePort: BASE_PORT });
    server = await startTestTessera({
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      REDIS_TIMEOUT: '1s',
      SESSION_L1_MAX: '0',
      MONITOR_INTERVAL: '1s',
      TESSERA_ADMIN_EMAIL: ADMIN,
      TESSERA_ADMIN_PASSWORD: PASSWORD,
      ALERT_EVAL_INTERVAL: '1h',
    });
    server.runtime.startJobs();
    api = apiClient(server.url);
    admin = (await api('POST', '/v1/auth/login', { email: ADMIN, password: PASSWORD })).body.token;
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await cluster?.stop();
  });

  it('keys, memory, ops/s, latency and slots per node, and the node each hot key lives on', async () => {
    const users = [];
    for (let i = 0; i < 6; i++) users.push(await newSession(api));
    for (let round = 0; round < 5; round++)
      for (const u of users)
        expect((await api('GET', '/v1/auth/session', undefined, { token: u.token })).status).toBe(200);

    const body = await eventually(
      async () => {
        await server.runtime.observability.redisInfo!.poll();
        const b = await cache();
        const nodes = (b.redis?.nodes ?? []) as RedisNodeInfo[];
        return nodes.length === 6 &&
          nodes.every((n) => n.up) &&
          nodes.filter((n) => n.role === 'master').every((n) => n.opsPerSec > 0)
          ? b
          : undefined;
      },
      15_000,
      500,
    );
    const nodes = body.redis.nodes as RedisNodeInfo[];
    const masters = nodes.filter((n) => n.role === 'master');
    const replicas = nodes.filter((n) => n.role === 'replica');
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    expect(masters.reduce((n, m) => n + m.slots!, 0)).toBe(16384);
    for (const r of replicas) expect(r.slots).toBe(0);
    for (const n of nodes) {
      expect(n.usedMemoryBytes).toBeGreaterThan(0);
      expect(n.latencyMs).toBeGreaterThan(0);
    }
    expect(masters.reduce((n, m) => n + m.keys, 0)).toBeGreaterThan(0);
    expect(body.redis.cluster).toMatchObject({ state: 'ok', slotsAssigned: 16384, slotsOk: 16384, slotsFail: 0 });

    // Each hot key's node, checked against the cluster's own answer (CLUSTER KEYSLOT, CLUSTER SLOTS).
    const hotKeys = body.tiers.l2.hotKeys as Array<{ key: string; node: string }>;
    expect(hotKeys.length).toBeGreaterThan(0);
    const probe = new Redis({ port: BASE_PORT, host: '127.0.0.1' });
    try {
      const ranges = await probe.cluster('SLOTS');
      for (const hot of hotKeys) {
        const slot = Number(await probe.cluster('KEYSLOT', `tss:c:${hot.key}`));
        const owner = ranges.find(([from, to]) => slot >= from && slot <= to)![2];
        expect(hot.node).toBe(`${owner[0]}:${owner[1]}`);
      }
    } finally {
      probe.disconnect();
    }

    const text = await scrape();
    for (const n of nodes) {
      const labels = { node: n.node, role: n.role };
      expect(promSample(text, 'tessera_redis_up', labels)).toBe(1);
      expect(promSample(text, 'tessera_redis_memory_used_bytes', labels)).toBeGreaterThan(0);
      expect(promSample(text, 'tessera_redis_keys', labels)).toBeDefined();
      expect(promSample(text, 'tessera_redis_ops_per_second', labels)).toBeDefined();
      expect(promSample(text, 'tessera_redis_node_latency_seconds', labels)).toBeGreaterThan(0);
      expect(promSample(text, 'tessera_redis_evicted_keys_total', labels)).toBe(0);
    }
    expect(promSample(text, 'tessera_redis_node_slots', { role: 'master' })).toBe(16384);
    expect(promSample(text, 'tessera_redis_cluster_slots', { state: 'ok' })).toBe(16384);
    // Hot keys are never labels.
    for (const hot of hotKeys) expect(text).not.toContain(hot.key);

    const summary = (await api('GET', '/v1/admin/metrics/summary', undefined, { token: admin })).body;
    expect(summary.signals.redis_cluster_slots_ok).toBe(16384);
    expect(summary.signals.redis_nodes_down).toBe(0);
    expect(summary.redis.nodes).toHaveLength(6);
  });

  it('a replica that stops answering shows as down, labelled by its node; the slots stay covered', async () => {
    const replica = ((await cache()).redis.nodes as RedisNodeInfo[]).find((n) => n.role === 'replica')!;
    const server_ = cluster.servers.find((s) => replica.node.endsWith(`:${s.port}`))!;
    await server_.stop();
    const text = await eventually(
      async () => {
        await server.runtime.observability.redisInfo!.poll();
        const t = await scrape();
        return promSample(t, 'tessera_redis_up', { node: replica.node }) === 0 ? t : undefined;
      },
      10_000,
      300,
    );
    expect(promSample(text, 'tessera_redis_cluster_slots', { state: 'ok' })).toBe(16384);
    const summary = (await api('GET', '/v1/admin/metrics/summary', undefined, { token: admin })).body;
    expect(summary.signals.redis_nodes_down).toBe(1);
  });
});
