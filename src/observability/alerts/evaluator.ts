import { randomUUID } from 'node:crypto';
import { compare } from './rules.js';
import type { AlertStore } from './store.js';
import type { Alert, AlertChannel, AlertNotification, AlertRule } from './types.js';

/** The one piece of the store the evaluator needs: a named lease (see LocksRepository). */
export interface LockLease {
  tryAcquire(name: string, owner: string, ttlMs: number, now: number): Promise<boolean>;
  release?(name: string, owner: string): Promise<void>;
}

export interface EvaluatorOptions {
  store: AlertStore;
  /** Rules in force (built-ins, file, API) — read each round so a PUT applies at once. */
  rules: () => Promise<AlertRule[]>;
  signals: () => Promise<Record<string, number | null>>;
  channels: AlertChannel[];
  lock: LockLease;
  instanceId: string;
  intervalMs: number;
  now?: () => number;
  onError?: (err: unknown, what: string) => void;
  /** Resolved alerts are kept this long for the API, then dropped. */
  resolvedRetentionMs?: number;
}

const LOCK_NAME = 'tessera:alerts-evaluator';

/**
 * Evaluates every rule against the summary signals, on one instance at a time (whoever holds the lease),
 * moving alerts pending → firing (after `for`) → resolved and notifying each channel once per change.
 * State lives in the shared AlertStore, so a lease changing hands loses nothing and fires nothing twice.
 */
export class AlertEvaluator {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: EvaluatorOptions) {
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.o.lock.release?.(LOCK_NAME, this.o.instanceId).catch(() => {});
  }

  /** One evaluation round; returns false when another instance holds the lease. */
  async tick(): Promise<boolean> {
    if (this.running) return false;
    let mine = false;
    this.running = (async () => {
      try {
        mine = await this.o.lock.tryAcquire(LOCK_NAME, this.o.instanceId, this.o.intervalMs * 3, this.now());
        if (mine) await this.evaluate();
      } catch (err) {
        this.o.onError?.(err, 'alert evaluation');
      }
    })();
    await this.running;
    this.running = undefined;
    return mine;
  }

  private async evaluate(): Promise<void> {
    const now = this.now();
    const [rules, signals, alerts] = await Promise.all([this.o.rules(), this.o.signals(), this.o.store.list()]);
    const active = new Map<string, Alert>();
    for (const a of alerts) if (a.state !== 'resolved') active.set(a.rule, a);
    const notifications: AlertNotification[] = [];

    for (const rule of rules) {
      const value = signals[rule.expr] ?? null;
      const holds = value !== null && compare(value, rule.op, rule.threshold);
      const current = active.get(rule.name);
      active.delete(rule.name);
      if (holds && !current) {
        const alert = newAlert(rule, value, now);
        if (rule.forMs === 0) this.fire(alert, now, notifications);
        await this.o.store.put(alert);
      } else if (holds && current) {
        current.value = value;
        current.updatedAt = now;
        if (current.state === 'pending' && now - current.startedAt >= rule.forMs)
          this.fire(current, now, notifications);
        await this.o.store.put(current);
      } else if (!holds && current) {
        // A pending alert that never fired simply goes away (as in Prometheus); a firing one resolves.
        if (current.state === 'pending') await this.o.store.delete([current.id]);
        else await this.resolve(current, 'condition', value, now, notifications);
      }
    }
    // Alerts whose rule was removed or renamed.
    for (const orphan of active.values()) {
      if (orphan.state === 'pending') await this.o.store.delete([orphan.id]);
      else await this.resolve(orphan, 'rule_removed', orphan.value, now, notifications);
    }
    const retention = this.o.resolvedRetentionMs ?? 86_400_000;
    const expired = alerts
      .filter((a) => a.state === 'resolved' && (a.resolvedAt ?? 0) < now - retention)
      .map((a) => a.id);
    await this.o.store.delete(expired);

    for (const n of notifications) {
      for (const channel of this.o.channels) {
        channel.send(n).catch((err) => this.o.onError?.(err, `alert channel ${channel.name}`));
      }
    }
  }

  private fire(alert: Alert, now: number, out: AlertNotification[]): void {
    alert.state = 'firing';
    alert.firedAt = now;
    alert.updatedAt = now;
    out.push({ kind: 'alert', status: 'firing', alert: { ...alert } });
  }

  private async resolve(
    alert: Alert,
    by: Alert['resolvedBy'],
    value: number | null,
    now: number,
    out: AlertNotification[],
  ): Promise<void> {
    Object.assign(alert, { state: 'resolved', resolvedAt: now, resolvedBy: by, value, updatedAt: now });
    await this.o.store.put(alert);
    out.push({ kind: 'alert', status: 'resolved', alert: { ...alert } });
  }
}

function newAlert(rule: AlertRule, value: number, now: number): Alert {
  return {
    id: randomUUID(),
    rule: rule.name,
    severity: rule.severity,
    state: 'pending',
    expr: rule.expr,
    op: rule.op,
    threshold: rule.threshold,
    value,
    startedAt: now,
    updatedAt: now,
    ...(rule.description ? { description: rule.description } : {}),
  };
}
