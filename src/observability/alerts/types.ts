export const OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A rule as evaluated: `expr` names a summary signal (p99_ms, error_rate, …); `forMs` is how long it must hold. */
export interface AlertRule {
  name: string;
  expr: string;
  op: Operator;
  threshold: number;
  forMs: number;
  severity: Severity;
  description?: string;
}

export type AlertState = 'pending' | 'firing' | 'resolved';

export interface Alert {
  id: string;
  rule: string;
  severity: Severity;
  state: AlertState;
  expr: string;
  op: Operator;
  threshold: number;
  /** Latest value of `expr` while active; the value at resolution afterwards. */
  value: number | null;
  description?: string;
  startedAt: number;
  firedAt?: number;
  resolvedAt?: number;
  resolvedBy?: 'condition' | 'manual' | 'rule_removed';
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  updatedAt: number;
}

/** A change worth telling someone about. */
export interface AlertNotification {
  kind: 'alert';
  status: 'firing' | 'resolved';
  alert: Alert;
}

export interface AlertChannel {
  readonly name: string;
  send(notification: AlertNotification): Promise<void>;
}
