import { TesseraError } from '../../errors/registry.js';
import { parseRules } from './rules.js';
import type { AlertStore } from './store.js';
import type { Alert, AlertChannel, AlertRule, AlertState } from './types.js';

export interface AlertsServiceOptions {
  store: AlertStore;
  /** Built-ins (unless the rule file turned them off) with the rule file's rules over them. */
  defaultRules: AlertRule[];
  channels: AlertChannel[];
  now?: () => number;
  onError?: (err: unknown, what: string) => void;
}

const STATE_ORDER: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2 };

/** What the admin API does with alerts: list, acknowledge, resolve by hand, read and replace the rules. */
export class AlertsService {
  private readonly now: () => number;

  constructor(private readonly o: AlertsServiceOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Rules in force: those set through the API (shared, persistent) or else the defaults. */
  async rules(): Promise<AlertRule[]> {
    return (await this.o.store.getRules()) ?? this.o.defaultRules;
  }

  /** Replaces the rule set everywhere; 400 naming every bad field. */
  async setRules(input: unknown): Promise<AlertRule[]> {
    const parsed = parseRules(input);
    if ('problems' in parsed)
      throw new TesseraError('invalid_request', 'Some alert rules are invalid.', { details: parsed.problems });
    await this.o.store.setRules(parsed.rules);
    return parsed.rules;
  }

  async list(state?: AlertState): Promise<Alert[]> {
    const all = await this.o.store.list();
    return all
      .filter((a) => !state || a.state === state)
      .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.updatedAt - a.updatedAt);
  }

  async acknowledge(id: string, by: string): Promise<Alert> {
    const alert = await this.find(id);
    if (!alert.acknowledgedAt) {
      alert.acknowledgedAt = this.now();
      alert.acknowledgedBy = by;
      alert.updatedAt = alert.acknowledgedAt;
      await this.o.store.put(alert);
    }
    return alert;
  }

  /** Resolves by hand; if the condition still holds the evaluator opens a new alert (pending, then firing after `for`). */
  async resolve(id: string, by: string): Promise<Alert> {
    const alert = await this.find(id);
    if (alert.state === 'resolved') return alert;
    const wasFiring = alert.state === 'firing';
    Object.assign(alert, { state: 'resolved', resolvedAt: this.now(), resolvedBy: 'manual', updatedAt: this.now() });
    alert.acknowledgedBy ??= by;
    await this.o.store.put(alert);
    if (wasFiring) {
      for (const channel of this.o.channels) {
        channel
          .send({ kind: 'alert', status: 'resolved', alert: { ...alert } })
          .catch((err) => this.o.onError?.(err, `alert channel ${channel.name}`));
      }
    }
    return alert;
  }

  async firingBySeverity(): Promise<Record<string, number>> {
    const out: Record<string, number> = { info: 0, warning: 0, critical: 0 };
    for (const a of await this.o.store.list()) if (a.state === 'firing') out[a.severity] = (out[a.severity] ?? 0) + 1;
    return out;
  }

  private async find(id: string): Promise<Alert> {
    const alert = await this.o.store.get(id);
    if (!alert) throw new TesseraError('not_found', 'No such alert.');
    return alert;
  }
}
