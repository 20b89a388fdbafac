import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PoolStats } from '../store/pool-monitor.js';
import type { RedisInfoSnapshot } from './redis-info.js';

/** Maps free-form label values to themselves until `max` distinct ones were seen, then to `other`. */
export class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 50) {}
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    const clean = value.length <= 64 && /^[\w.:/-]+$/.test(value) ? value : 'other';
    this.seen.add(clean);
    return clean;
  }
}

const QUERY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The monitors' Prometheus families: every query by statement name and the slow ones, the PostgreSQL pool, and the
 * Redis INFO poller's figures per node. Pool and Redis gauges are read from their sources at scrape time (the
 * poller's last snapshot: a scrape never sends INFO). Hot keys are never labels; nodes are (`host:port`, bounded).
 */
export class MonitorMetrics {
  private poolSource: (() => PoolStats) | undefined;
  private redisSource: (() => RedisInfoSnapshot | undefined) | undefined;
  private readonly statements = new BoundedLabel(100);
  private readonly nodes = new BoundedLabel(100);
  private readonly query: Histogram<'statement'>;
  private readonly slow: Counter<'statement'>;
  private readonly acquire: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.query = new Histogram({
      name: 'tessera_db_query_duration_seconds',
      help: 'Every database query the store runs, by statement name (table.verb; never its parameters).',
      labelNames: ['statement'],
      buckets: QUERY_BUCKETS,
      registers,
    });
    this.slow = new Counter({
      name: 'tessera_db_slow_queries_total',
      help: 'Database queries slower than DATABASE_SLOW_QUERY, by statement name.',
      labelNames: ['statement'],
      registers,
    });
    this.acquire = new Histogram({
      name: 'tessera_db_pool_acquire_seconds',
      help: 'Time a query waited for a PostgreSQL pool client (including opening a new connection).',
      buckets: QUERY_BUCKETS,
      registers,
    });
    const pool = () => this.poolSource?.();
    new Gauge({
      name: 'tessera_db_pool_clients',
      help: 'PostgreSQL pool clients by state: total (open), idle, waiting (queries queued for a client).',
      labelNames: ['state'],
      registers,
      collect() {
        const s = pool();
        if (!s) return;
        this.set({ state: 'total' }, s.total);
        this.set({ state: 'idle' }, s.idle);
        this.set({ state: 'waiting' }, s.waiting);
      },
    });
    new Gauge({
      name: 'tessera_db_pool_max_clients',
      help: 'DATABASE_POOL_MAX: the most clients the pool opens.',
      registers,
      collect() {
        const s = pool();
        if (s) this.set(s.max);
      },
    });
    this.redisGauges(registers);
  }

  setPoolSource(source: () => PoolStats): void {
    this.poolSource = source;
  }

  setRedisInfoSource(source: () => RedisInfoSnapshot | undefined): void {
    this.redisSource = source;
  }

  dbQuery(statement: string, seconds: number, slow: boolean): void {
    const label = this.statements.of(statement);
    this.query.observe({ statement: label }, seconds);
    if (slow) this.slow.inc({ statement: label });
  }

  poolAcquire(seconds: number): void {
    this.acquire.observe(seconds);
  }

  private redisGauges(registers: Registry[]): void {
    const snapshot = () => this.redisSource?.();
    const nodes = this.nodes;
    const perNode = (
      name: string,
      help: string,
      value: (n: RedisInfoSnapshot['nodes'][number]) => number | undefined,
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ['node', 'role'],
        registers,
        collect() {
          this.reset();
          for (const n of snapshot()?.nodes ?? []) {
            const v = value(n);
            if (v !== undefined) this.set({ node: nodes.of(n.node), role: n.role }, v);
          }
        },
      });
    };
    perNode('tessera_redis_up', 'Whether the node answered the last INFO poll (1) or not (0).', (n) => (n.up ? 1 : 0));
    perNode('tessera_redis_memory_used_bytes', 'Redis used_memory per node.', (n) =>
      n.up ? n.usedMemoryBytes : undefined,
    );
    perNode('tessera_redis_memory_max_bytes', 'Redis maxmemory per node (0: no limit).', (n) =>
      n.up ? n.maxMemoryBytes : undefined,
    );
    perNode('tessera_redis_keys', 'Keys per node (all databases).', (n) => (n.up ? n.keys : undefined));
    perNode('tessera_redis_ops_per_second', 'Commands per second per node (instantaneous_ops_per_sec).', (n) =>
      n.up ? n.opsPerSec : undefined,
    );
    perNode('tessera_redis_node_latency_seconds', 'PING round trip to the node at the last poll.', (n) =>
      n.up ? n.latencyMs / 1000 : undefined,
    );
    perNode('tessera_redis_node_slots', 'Cluster hash slots the node serves (masters; replicas 0).', (n) => n.slots);
    new Counter({
      name: 'tessera_redis_evicted_keys_total',
      help: 'Keys Redis evicted for maxmemory, per node (INFO evicted_keys since the node started).',
      labelNames: ['node', 'role'],
      registers,
      collect() {
        this.reset();
        for (const n of snapshot()?.nodes ?? [])
          if (n.up) this.inc({ node: nodes.of(n.node), role: n.role }, n.evictedKeys);
      },
    });
    new Gauge({
      name: 'tessera_redis_cluster_slots',
      help: 'Redis Cluster hash slots by state (CLUSTER INFO): assigned, ok, pfail, fail; 16384 ok is full coverage.',
      labelNames: ['state'],
      registers,
      collect() {
        const c = snapshot()?.cluster;
        if (!c) return;
        this.set({ state: 'assigned' }, c.slotsAssigned);
        this.set({ state: 'ok' }, c.slotsOk);
        this.set({ state: 'pfail' }, c.slotsPfail);
        this.set({ state: 'fail' }, c.slotsFail);
      },
    });
  }
}
