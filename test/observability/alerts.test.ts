import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logChannel, webhookChannel } from '../../src/observability/alerts/channels.js';
import { AlertEvaluator } from '../../src/observability/alerts/evaluator.js';
import { loadRuleFile } from '../../src/observability/alerts/rule-file.js';
import { builtInRules, parseRules } from '../../src/observability/alerts/rules.js';
import { AlertsService } from '../../src/observability/alerts/service.js';
import { MemoryAlertStore, RedisAlertStore, type AlertStore } from '../../src/observability/alerts/store.js';
import type { AlertChannel, AlertNotification, AlertRule } from '../../src/observability/alerts/types.js';
import { localLock } from '../../src/observability/index.js';
import { describeWith, REDIS_URL, uniquePrefix } from '../helpers/services.js';
import { eventually } from './harness.js';
import { startWebhookReceiver } from '../helpers/webhook-receiver.js';
import { deleteRedisPrefix } from '../../src/bench/services.js';

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  name: 'SlowP99',
  expr: 'p99_ms',
  op: '>',
  threshold: 1000,
  forMs: 120_000,
  severity: 'critical',
  ...over,
});

function recordingChannel(): AlertChannel & { sent: AlertNotification[] } {
  const sent: AlertNotification[] = [];
  return {
    name: 'test',
    sent,
    async send(n) {
      sent.push(n);
    },
  };
}

function setup(store: AlertStore = new MemoryAlertStore(), rules: AlertRule[] = [rule()], lock = localLock()) {
  let now = 1_000_000;
  const signals: Record<string, number | null> = { p99_ms: 10 };
  const channel = recordingChannel();
  const make = (id: string) =>
    new AlertEvaluator({
      store,
      rules: async () => rules,
      signals: async () => ({ ...signals }),
      channels: [channel],
      lock,
      instanceId: id,
      intervalMs: 15_000,
      now: () => now,
    });
  return {
    store,
    signals,
    channel,
    make,
    advance: (ms: number) => {
      now += ms;
    },
    service: new AlertsService({ store, defaultRules: rules, channels: [channel], now: () => now }),
  };
}

describe('alert evaluation', () => {
  it('goes pending → firing only after `for`, then resolves when the condition clears', async () => {
    const t = setup();
    const ev = t.make('a');
    await ev.tick();
    expect(await t.store.list()).toHaveLength(0);
    t.signals.p99_ms = 1500;
    await ev.tick();
    let [alert] = await t.store.list();
    expect(alert).toMatchObject({ state: 'pending', rule: 'SlowP99', value: 1500 });
    t.advance(60_000);
    await ev.tick();
    expect((await t.store.list())[0].state).toBe('pending');
    expect(t.channel.sent).toHaveLength(0);
    t.advance(60_000);
    await ev.tick();
    [alert] = await t.store.list();
    expect(alert.state).toBe('firing');
    expect(t.channel.sent.map((n) => n.status)).toEqual(['firing']);
    t.advance(15_000);
    await ev.tick();
    expect(t.channel.sent).toHaveLength(1);
    t.signals.p99_ms = 20;
    t.advance(15_000);
    await ev.tick();
    [alert] = await t.store.list();
    expect(alert).toMatchObject({ state: 'resolved', resolvedBy: 'condition', value: 20 });
    expect(t.channel.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
  });

  it('drops a pending alert that clears before `for`, without notifying', async () => {
    const t = setup();
    const ev = t.make('a');
    t.signals.p99_ms = 1500;
    await ev.tick();
    t.signals.p99_ms = 5;
    t.advance(30_000);
    await ev.tick();
    expect(await t.store.list()).toHaveLength(0);
    expect(t.channel.sent).toHaveLength(0);
  });

  it('fires once with several instances: only the lease holder evaluates', async () => {
    const t = setup(new MemoryAlertStore(), [rule({ forMs: 0 })]);
    const instances = ['a', 'b', 'c'].map(t.make);
    t.signals.p99_ms = 5000;
    const owners = [];
    for (let round = 0; round < 4; round++) {
      for (const ev of instances) owners.push(await ev.tick());
      t.advance(15_000);
    }
    expect(owners.filter(Boolean)).toHaveLength(4);
    expect(t.channel.sent).toHaveLength(1);
    expect((await t.store.list()).filter((a) => a.state === 'firing')).toHaveLength(1);
  });

  it('a null signal (no data) never fires', async () => {
    const t = setup(new MemoryAlertStore(), [rule({ expr: 'cache_hit_rate', op: '<', threshold: 0.7, forMs: 0 })]);
    await t.make('a').tick();
    expect(await t.store.list()).toHaveLength(0);
  });

  it('acknowledge keeps it firing; manual resolve notifies and a still-true condition opens a new alert', async () => {
    const t = setup(new MemoryAlertStore(), [rule({ forMs: 0 })]);
    const ev = t.make('a');
    t.signals.p99_ms = 2000;
    await ev.tick();
    const [firing] = await t.service.list('firing');
    const acked = await t.service.acknowledge(firing.id, 'ops@example.com');
    expect(acked).toMatchObject({ state: 'firing', acknowledgedBy: 'ops@example.com' });
    const resolved = await t.service.resolve(firing.id, 'ops@example.com');
    expect(resolved).toMatchObject({ state: 'resolved', resolvedBy: 'manual' });
    expect(t.channel.sent.map((n) => n.status)).toEqual(['firing', 'resolved']);
    await ev.tick();
    const again = await t.service.list('firing');
    expect(again).toHaveLength(1);
    expect(again[0].id).not.toBe(firing.id);
    await expect(t.service.acknowledge('nope', 'x')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('alert rules', () => {
  it('built-ins cover the usual SLOs (latency, errors, cache, Redis, memory, lag, cleanup)', () => {
    const rules = builtInRules({ rssBudgetBytes: 1e9, cleanupIntervalMs: 600_000 });
    const by = Object.fromEntries(rules.map((r) => [r.expr, r]));
    expect(by.p99_ms).toMatchObject({ op: '>', threshold: 1000, forMs: 120_000 });
    expect(by.error_rate).toMatchObject({ op: '>', threshold: 0.01, forMs: 120_000 });
    expect(by.cache_hit_rate).toMatchObject({ op: '<', threshold: 0.7, forMs: 600_000 });
    expect(by.redis_latency_ms).toMatchObject({ threshold: 50 });
    expect(by.rss_bytes).toMatchObject({ threshold: 1e9 });
    expect(by.event_loop_lag_ms).toMatchObject({ threshold: 200 });
    expect(by.cleanup_age_ms).toMatchObject({ threshold: 1_200_000 });
    expect(by.expired_sessions).toBeDefined();
    expect(by.session_write_ratio).toBeDefined();
  });

  it('rejects bad rules naming every bad field', () => {
    const result = parseRules([
      { name: '1bad', expr: 'nope', op: '=>', threshold: 'x', for: 'soon', severity: 'loud' },
    ]);
    expect('problems' in result && result.problems.map((p) => p.field)).toEqual([
      'rules[0].name',
      'rules[0].expr',
      'rules[0].op',
      'rules[0].threshold',
      'rules[0].for',
      'rules[0].severity',
    ]);
  });

  it('loads a YAML or JSON rule file, over the built-ins or instead of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-rules-'));
    try {
      const yamlPath = join(dir, 'rules.yaml');
      await writeFile(
        yamlPath,
        'rules:\n  - name: HighLatencyP99\n    expr: p99_ms\n    op: ">"\n    threshold: 500\n    for: 1m\n    severity: warning\n',
      );
      const yaml = await loadRuleFile(yamlPath);
      expect(yaml).toEqual({
        builtins: true,
        rules: [
          { name: 'HighLatencyP99', expr: 'p99_ms', op: '>', threshold: 500, forMs: 60_000, severity: 'warning' },
        ],
      });
      const jsonPath = join(dir, 'rules.json');
      await writeFile(
        jsonPath,
        JSON.stringify({
          builtins: false,
          rules: [{ name: 'Busy', expr: 'requests_per_sec', op: '>', threshold: 1000 }],
        }),
      );
      expect(await loadRuleFile(jsonPath)).toMatchObject({
        builtins: false,
        rules: [{ name: 'Busy', forMs: 0, severity: 'warning' }],
      });
      await writeFile(jsonPath, '{"rules":[{"name":"x","expr":"p99_ms","op":">"}]}');
      await expect(loadRuleFile(jsonPath)).rejects.toThrow(/TESSERA_ALERT_RULES: .*rules\[0\]\.threshold/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('log channel', () => {
  it('logs a firing alert at its severity: critical → error, warning → warn, info → info; resolved → info', async () => {
    const lines: Array<{ level: string; msg: string }> = [];
    const at = (level: string) => (_obj: object, msg: string) => void lines.push({ level, msg });
    const channel = logChannel({ info: at('info'), warn: at('warn'), error: at('error') });
    const rules = (['critical', 'warning', 'info'] as const).map((severity) =>
      rule({ name: `Busy_${severity}`, expr: 'requests_per_sec', op: '>', threshold: 0, forMs: 0, severity }),
    );
    const signals: Record<string, number | null> = { requests_per_sec: 5 };
    const evaluator = new AlertEvaluator({
      store: new MemoryAlertStore(),
      rules: async () => rules,
      signals: async () => ({ ...signals }),
      channels: [channel],
      lock: localLock(),
      instanceId: 'a',
      intervalMs: 15_000,
    });
    await evaluator.tick();
    expect(lines.sort((a, b) => a.msg.localeCompare(b.msg))).toEqual([
      { level: 'error', msg: 'alert Busy_critical firing' },
      { level: 'info', msg: 'alert Busy_info firing' },
      { level: 'warn', msg: 'alert Busy_warning firing' },
    ]);
    lines.length = 0;
    signals.requests_per_sec = 0;
    await evaluator.tick();
    expect(lines.map((l) => l.level)).toEqual(['info', 'info', 'info']);
  });
});

describe('webhook channel', () => {
  it('POSTs the alert as JSON to a local HTTP server', async () => {
    const hooks = await startWebhookReceiver();
    try {
      const t = setup(new MemoryAlertStore(), [rule({ forMs: 0 })]);
      const ev = new AlertEvaluator({
        store: t.store,
        rules: async () => [rule({ forMs: 0 })],
        signals: async () => ({ p99_ms: 3000 }),
        channels: [webhookChannel(hooks.url)],
        lock: localLock(),
        instanceId: 'a',
        intervalMs: 1000,
      });
      await ev.tick();
      const hook = await eventually(() => hooks.received[0]);
      expect(hook.headers['content-type']).toBe('application/json');
      expect(hook.body).toMatchObject({
        kind: 'alert',
        status: 'firing',
        alert: { rule: 'SlowP99', state: 'firing', value: 3000, severity: 'critical' },
      });
    } finally {
      await hooks.close();
    }
  });
});

describeWith(['redis'], 'alert state in Redis', () => {
  let redis: Redis;
  const prefix = uniquePrefix('alerts');
  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await deleteRedisPrefix(REDIS_URL, prefix);
    redis.disconnect();
  });

  it('every instance sees the same alerts and rules; firing happens once', async () => {
    const lock = localLock();
    const a = setup(new RedisAlertStore(redis, prefix), [rule({ forMs: 0 })], lock);
    const bStore = new RedisAlertStore(redis, prefix);
    const b = new AlertsService({ store: bStore, defaultRules: [], channels: [] });
    const evA = a.make('a');
    const evB = new AlertEvaluator({
      store: bStore,
      rules: async () => [rule({ forMs: 0 })],
      signals: async () => ({ p99_ms: 9999 }),
      channels: [a.channel],
      lock,
      instanceId: 'b',
      intervalMs: 15_000,
      now: () => 1_000_000,
    });
    a.signals.p99_ms = 9999;
    expect(await evA.tick()).toBe(true);
    expect(await evB.tick()).toBe(false);
    const seenByB = await b.list('firing');
    expect(seenByB).toHaveLength(1);
    await b.acknowledge(seenByB[0].id, 'b-admin');
    expect((await a.service.list('firing'))[0].acknowledgedBy).toBe('b-admin');
    expect(a.channel.sent).toHaveLength(1);
    await b.setRules([{ name: 'Only', expr: 'error_rate', op: '>', threshold: 0.5 }]);
    expect((await a.service.rules()).map((r) => r.name)).toEqual(['Only']);
  });
});
