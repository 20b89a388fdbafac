import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';
import { ioredis } from '../cache/ioredis.js';

/** One Redis node as its last INFO showed it. */
export interface RedisNodeInfo {
  /** `host:port`, as the client reaches it. */
  node: string;
  role: 'master' | 'replica';
  up: boolean;
  usedMemoryBytes: number;
  /** 0: no maxmemory. */
  maxMemoryBytes: number;
  policy: string;
  /** Keys evicted since the node started (INFO stats evicted_keys). */
  evictedKeys: number;
  keys: number;
  opsPerSec: number;
  /** PING round trip at the last poll. */
  latencyMs: number;
  /** Hash slots this node serves (Cluster masters; 0 for replicas, undefined without a Cluster). */
  slots?: number;
  error?: string;
}

export interface RedisInfoSnapshot {
  at: number;
  nodes: RedisNodeInfo[];
  /** Sums over the masters that answered (a replica holds copies, not more data). */
  usedMemoryBytes: number;
  /** 0 when any master has no maxmemory (unbounded). */
  maxMemoryBytes: number;
  keys: number;
  evictedKeys: number;
  /** Keys evicted per minute between the last two polls (null on the first). */
  evictionsPerMin: number | null;
  /** Cluster slot coverage from CLUSTER INFO (absent without a Cluster). */
  cluster?: { state: string; slotsAssigned: number; slotsOk: number; slotsPfail: number; slotsFail: number };
}

export interface RedisInfoPollerOptions {
  intervalMs: number;
  now?: () => number;
  onError?: (err: unknown, what: string) => void;
  /** Hears each snapshot (the recorder's levels). */
  onSnapshot?: (snapshot: RedisInfoSnapshot) => void;
}

export const CLUSTER_SLOTS = 16384;

/**
 * The one Redis INFO poller: every `intervalMs` it PINGs and reads INFO from every node (a Cluster's masters and
 * replicas) and CLUSTER INFO once, on the observability layer's own connection, so its commands never count as
 * cache traffic. Prometheus, the summary, the history and /v1/admin/cache all read its last snapshot.
 */
export class RedisInfoPoller {
  private snapshot: RedisInfoSnapshot | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<RedisInfoSnapshot | undefined> | undefined;
  private readonly now: () => number;
  /** Connections of the poller's own to Cluster members the client keeps none to (replicas, with reads on masters). */
  private readonly extra = new Map<string, Redis>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly options: RedisInfoPollerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    for (const client of this.extra.values()) client.disconnect();
    this.extra.clear();
  }

  latest(): RedisInfoSnapshot | undefined {
    return this.snapshot;
  }

  /** The node (`host:port`) that serves a full key: its slot's master in a Cluster, the one server otherwise. */
  nodeOfKey(key: string): string | undefined {
    if (!(this.redis instanceof ioredis().Cluster)) return nameOf(this.redis);
    return this.redis.slots[calculateSlot(key)]?.[0];
  }

  /** Polls now (concurrent callers share one poll). */
  poll(): Promise<RedisInfoSnapshot | undefined> {
    this.polling ??= this.read()
      .then((snapshot) => {
        this.snapshot = snapshot;
        this.options.onSnapshot?.(snapshot);
        return snapshot;
      })
      .catch((err) => {
        this.options.onError?.(err, 'redis info poll');
        return this.snapshot;
      })
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

  private async read(): Promise<RedisInfoSnapshot> {
    const clients: Redis[] = this.redis instanceof ioredis().Cluster ? this.redis.nodes('all') : [this.redis];
    const slotsByNode = this.redis instanceof ioredis().Cluster ? countSlots(this.redis.slots) : undefined;
    const view = this.redis instanceof ioredis().Cluster ? await readClusterView(clients) : undefined;
    const roles = new Map(view?.members.map((m) => [m.node, m.role]));
    if (view && this.redis instanceof ioredis().Cluster) clients.push(...this.extraClients(this.redis, view, clients));
    const nodes = await Promise.all(
      clients.map((client) => readNode(client, roles.get(nameOf(client)) ?? 'master', slotsByNode)),
    );
    nodes.sort((a, b) => a.node.localeCompare(b.node));
    const masters = nodes.filter((n) => n.role === 'master' && n.up);
    const snapshot: RedisInfoSnapshot = {
      at: this.now(),
      nodes,
      usedMemoryBytes: sum(masters, (n) => n.usedMemoryBytes),
      maxMemoryBytes: masters.some((n) => n.maxMemoryBytes === 0) ? 0 : sum(masters, (n) => n.maxMemoryBytes),
      keys: sum(masters, (n) => n.keys),
      evictedKeys: sum(masters, (n) => n.evictedKeys),
      evictionsPerMin: null,
    };
    const previous = this.snapshot;
    if (previous && snapshot.at > previous.at) {
      // A restarted node starts its counter again: count what it evicted since.
      const delta = snapshot.evictedKeys - previous.evictedKeys;
      snapshot.evictionsPerMin = ((delta >= 0 ? delta : snapshot.evictedKeys) * 60_000) / (snapshot.at - previous.at);
    }
    if (view) snapshot.cluster = view.info;
    return snapshot;
  }

  /** Members the cluster lists (CLUSTER NODES) but the client keeps no connection to (replicas, with reads on masters). */
  private extraClients(cluster: Cluster, view: ClusterView, pooled: Redis[]): Redis[] {
    const have = new Set(pooled.map(nameOf));
    const wanted = view.members.filter((m) => !have.has(m.node)).map((m) => m.node);
    for (const [node, client] of this.extra)
      if (!wanted.includes(node)) {
        client.disconnect();
        this.extra.delete(node);
      }
    const { redisOptions = {} } = cluster.options;
    return wanted.map((node) => {
      let client = this.extra.get(node);
      if (!client) {
        const colon = node.lastIndexOf(':');
        client = new (ioredis().Redis)({
          ...redisOptions,
          host: node.slice(0, colon),
          port: Number(node.slice(colon + 1)),
          connectionName: 'tessera:observability-info',
          enableOfflineQueue: true,
          maxRetriesPerRequest: 0,
          commandTimeout: redisOptions.commandTimeout ?? 1000,
          retryStrategy: (attempt: number) => Math.min(5000, 100 * 2 ** attempt),
        });
        client.on('error', () => {}); // a member that is down shows as `up: false` in the snapshot
        this.extra.set(node, client);
      }
      return client;
    });
  }
}

const nameOf = (client: Redis): string => `${client.options.host ?? '127.0.0.1'}:${client.options.port ?? 6379}`;
const sum = <T>(items: T[], of: (item: T) => number): number => items.reduce((n, item) => n + of(item), 0);

function countSlots(slots: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const owners of slots) if (owners?.[0]) counts.set(owners[0], (counts.get(owners[0]) ?? 0) + 1);
  return counts;
}

async function readNode(
  client: Redis,
  knownRole: RedisNodeInfo['role'],
  slotsByNode: Map<string, number> | undefined,
): Promise<RedisNodeInfo> {
  const node = nameOf(client);
  try {
    const start = performance.now();
    await client.ping();
    const latencyMs = performance.now() - start;
    const info = await client.info();
    const field = (name: string): string => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
    const number = (name: string): number => Number(field(name)) || 0;
    let keys = 0;
    for (const m of info.matchAll(/^db\d+:keys=(\d+)/gm)) keys += Number(m[1]);
    const role = field('role') === 'slave' ? 'replica' : field('role') === 'master' ? 'master' : knownRole;
    return {
      node,
      role,
      up: true,
      usedMemoryBytes: number('used_memory'),
      maxMemoryBytes: number('maxmemory'),
      policy: field('maxmemory_policy'),
      evictedKeys: number('evicted_keys'),
      keys,
      opsPerSec: number('instantaneous_ops_per_sec'),
      latencyMs,
      ...(slotsByNode ? { slots: role === 'master' ? (slotsByNode.get(node) ?? 0) : 0 } : {}),
    };
  } catch (err) {
    return downNode(node, knownRole, String((err as Error).message ?? err));
  }
}

const downNode = (node: string, role: RedisNodeInfo['role'], error: string): RedisNodeInfo => ({
  node,
  role,
  up: false,
  usedMemoryBytes: 0,
  maxMemoryBytes: 0,
  policy: '',
  evictedKeys: 0,
  keys: 0,
  opsPerSec: 0,
  latencyMs: 0,
  error,
});

interface ClusterView {
  info: NonNullable<RedisInfoSnapshot['cluster']>;
  members: Array<{ node: string; role: RedisNodeInfo['role']; flags: string }>;
}

/** CLUSTER INFO (slot coverage) and CLUSTER NODES (every member, even one this client lost) from the first node that answers. */
async function readClusterView(clients: Redis[]): Promise<ClusterView | undefined> {
  for (const client of clients) {
    try {
      const [info, members] = await Promise.all([client.cluster('INFO'), client.cluster('NODES')]);
      const field = (name: string): string => new RegExp(`^${name}:(.*)$`, 'm').exec(String(info))?.[1]?.trim() ?? '';
      return {
        info: {
          state: field('cluster_state'),
          slotsAssigned: Number(field('cluster_slots_assigned')) || 0,
          slotsOk: Number(field('cluster_slots_ok')) || 0,
          slotsPfail: Number(field('cluster_slots_pfail')) || 0,
          slotsFail: Number(field('cluster_slots_fail')) || 0,
        },
        // `<id> <ip:port@cport[,hostname]> <flags> …`; a member without an address (noaddr) is left out.
        members: String(members)
          .split('\n')
          .map((line) => line.split(' '))
          .filter((parts) => parts.length > 2 && !parts[2].includes('noaddr') && !parts[1].startsWith(':'))
          .map((parts) => ({
            node: parts[1].split('@')[0],
            role: parts[2].includes('slave') ? ('replica' as const) : ('master' as const),
            flags: parts[2],
          })),
      };
    } catch {
      // try the next node
    }
  }
  return undefined;
}
