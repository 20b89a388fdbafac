// Monitor tiles (process, sessions table, database pool, errors, Redis) and the Redis nodes table.
// Everything is built with DOM calls (no inline scripts, styles or handlers), so the page's CSP can stay strict.
import { api, ApiError } from './api.js';

const $ = (id) => document.getElementById(id);

const bytes = (b) => {
  if (b == null) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
};
const num = (x) => (x == null ? '–' : Math.round(x).toLocaleString());
const pct = (x) => (x == null ? '–' : `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`);
const ms = (x) => (x == null ? '–' : `${x >= 100 ? Math.round(x) : x.toFixed(1)} ms`);
const duration = (sec) => {
  if (sec == null) return '–';
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${Math.floor(sec % 60)}s`;
};

/** id → [label, value of a summary]. */
const TILES = [
  ['m-cpu', 'CPU', (s) => (s.cpuPercent == null ? '–' : `${s.cpuPercent.toFixed(0)}%`)],
  ['m-memory', 'Memory (RSS)', (s) => bytes(s.rssBytes)],
  ['m-uptime', 'Uptime', (s) => duration(s.uptimeSec)],
  ['m-avg', 'Avg latency', (s) => ms(s.avgMs)],
  ['m-4xx', '4xx rate', (s) => pct(s.clientErrorRate)],
  ['m-timeouts', 'Timeouts/min', (s) => num(s.timeoutsPerMin)],
  ['m-expired', 'Expired sessions', (s) => num(s.expiredSessions)],
  ['m-table', 'Sessions table', (s) => bytes(s.sessionsTableBytes)],
  ['m-writes', 'Session writes/h', (s) => num(s.sessionWritesPerMin * 60)],
  ['m-slow', 'Slow queries/min', (s) => num(s.slowQueriesPerMin)],
  [
    'm-pool',
    'DB pool (used/max, waiting)',
    (s) => (s.dbPool ? `${s.dbPool.inUse}/${s.dbPool.max}, ${s.dbPool.waiting}` : '–'),
  ],
  [
    'm-redis-mem',
    'Redis memory',
    (s) =>
      s.redis
        ? `${bytes(s.redis.usedMemoryBytes)}${s.redis.maxMemoryBytes ? ` / ${bytes(s.redis.maxMemoryBytes)}` : ''}`
        : '–',
  ],
  ['m-redis-evict', 'Redis evictions/min', (s) => (s.redis ? num(s.redis.evictionsPerMin) : '–')],
];

function tiles() {
  const box = $('monitor-tiles');
  if (box.childElementCount > 0) return;
  for (const [id, label] of TILES) {
    const tile = document.createElement('div');
    tile.className = 'tile';
    const l = document.createElement('span');
    l.className = 'label';
    l.textContent = label;
    const v = document.createElement('span');
    v.className = 'value';
    v.id = id;
    v.textContent = '–';
    tile.append(l, v);
    box.append(tile);
  }
}

let hasRedis = false;

/** Fills the monitor tiles from one summary (the SSE stream's). */
export function showMonitorTiles(s) {
  hasRedis = Boolean(s.redis);
  tiles();
  for (const [id, , value] of TILES) $(id).textContent = value(s);
}

/** The Redis nodes (per node on a Cluster) with slot coverage and each hot key's node, from /v1/admin/cache. */
export async function loadRedisNodes() {
  if (!hasRedis) return; // no Redis configured: nothing to ask for
  let body;
  try {
    body = await api('/v1/admin/cache');
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return;
    throw err;
  }
  const redis = body.redis;
  $('redis-card').hidden = !redis;
  if (!redis) return;
  const cell = (text) => {
    const td = document.createElement('td');
    td.textContent = String(text);
    return td;
  };
  const rows = redis.nodes.map((n) => {
    const tr = document.createElement('tr');
    tr.dataset.node = n.node;
    tr.append(
      cell(n.node),
      cell(n.role),
      cell(n.up ? 'up' : `down${n.error ? ` (${n.error})` : ''}`),
      cell(num(n.keys)),
      cell(bytes(n.usedMemoryBytes)),
      cell(num(n.opsPerSec)),
      cell(ms(n.latencyMs)),
      cell(n.slots == null ? '–' : num(n.slots)),
      cell(num(n.evictedKeys)),
    );
    return tr;
  });
  $('redis-nodes').tBodies[0].replaceChildren(...rows);
  const c = redis.cluster;
  $('redis-slots').textContent = c ? `Cluster ${c.state}: ${c.slotsOk}/16384 slots ok` : '';
  const hot = (body.tiers?.l2?.hotKeys ?? []).slice(0, 10);
  $('redis-hot').textContent =
    hot.length === 0 ? '' : `Hot keys by node: ${hot.map((h) => `${h.node ?? '?'} (${h.count})`).join(', ')}`;
}
