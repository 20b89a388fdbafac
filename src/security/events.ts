import { LazyLru } from './lazy-lru.js';
import type { AuditRecord, AuditRepository } from '../store/types.js';
import { postJson } from '../notify/post-json.js';

/** What an anomaly rule does besides recording the event. */
export type SecurityAction = 'log' | 'throttle' | 'ban';

/** Every event type the protection layer raises (the audit log holds these next to the login/logout/... events). */
export const SECURITY_EVENT_TYPES = [
  'rate_limited',
  'reputation_refused',
  'lockout',
  'ip_blocked',
  'account_locked',
  'credential_stuffing',
  'distributed_attack',
  'request_spike',
  'token_spraying',
  'session_client_change',
  'ip_banned',
  'ip_unbanned',
] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export interface SecurityEvent {
  type: SecurityEventType;
  ip?: string;
  email?: string;
  userId?: string;
  sessionId?: string;
  tenant?: string;
  userAgent?: string;
  details?: Record<string, unknown>;
  action?: SecurityAction | 'refuse';
}

/** What the observability engineer plugs in to count events (e.g. a prom-client counter by type and action). */
export type SecurityEventListener = (event: SecurityEvent) => void;

/** One protection decision (for the "rate-limit and lockout decisions" metric). */
export interface ProtectionDecision {
  /** ip/login/signup/user/throttled: a rate limit; login_guard: the brute-force check; reputation, ban, denylist: refusals. */
  kind: 'ip' | 'login' | 'signup' | 'user' | 'throttled' | 'login_guard' | 'reputation' | 'ban' | 'denylist';
  outcome: 'allowed' | 'refused';
}
export type DecisionListener = (decision: ProtectionDecision) => void;

/** The one place security events go: listeners (metrics) see every one; the audit log and the webhook see one per kind per minute. */
export interface SecurityEventSink {
  record(event: SecurityEvent): void;
}

/** Where events are persisted: the store's AuditRepository, or an adapter over the service's AuditLog. */
export type SecurityAuditSink =
  Pick<AuditRepository, 'insert'> | { insert(event: Omit<AuditRecord, 'id'>): Promise<unknown> };

export interface SecurityEventsOptions {
  audit?: SecurityAuditSink;
  /** TESSERA_ALERT_WEBHOOK: notable events are POSTed there as JSON. */
  webhookUrl?: string;
  logger?: { warn(obj: object, msg?: string): void; info?(obj: object, msg?: string): void };
  /** Same (type, ip, email) within this window is audited and notified once; listeners still count each. */
  dedupMs?: number;
  now?: () => number;
}

/** Events worth waking someone for; the others are audited only. */
const NOTABLE: ReadonlySet<SecurityEventType> = new Set([
  'account_locked',
  'ip_blocked',
  'credential_stuffing',
  'distributed_attack',
  'request_spike',
  'token_spraying',
  'session_client_change',
  'ip_banned',
]);

const MAX_WEBHOOKS_IN_FLIGHT = 32;

export class SecurityEvents implements SecurityEventSink {
  private readonly listeners: SecurityEventListener[] = [];
  private readonly decisionListeners: DecisionListener[] = [];
  private readonly recent: LazyLru<string, true>;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly options: SecurityEventsOptions = {}) {
    this.recent = new LazyLru({ max: 20_000, ttl: options.dedupMs ?? 60_000 });
    this.now = options.now ?? Date.now;
  }

  onEvent(listener: SecurityEventListener): void {
    this.listeners.push(listener);
  }

  /** Hears every allow/refuse decision; keep listeners cheap (a counter increment): they run on the request path. */
  onDecision(listener: DecisionListener): void {
    this.decisionListeners.push(listener);
  }

  decision(kind: ProtectionDecision['kind'], outcome: ProtectionDecision['outcome']): void {
    if (this.decisionListeners.length === 0) return;
    const decision = { kind, outcome };
    for (const listener of this.decisionListeners) listener(decision);
  }

  record(event: SecurityEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (e) {
        this.options.logger?.warn({ err: e }, 'security event listener failed');
      }
    }
    const key = `${event.type}|${event.ip ?? ''}|${event.email ?? ''}|${event.userId ?? ''}`;
    if (this.recent.has(key)) return;
    this.recent.set(key, true);
    this.options.logger?.warn(
      { securityEvent: { type: event.type, ip: event.ip, userId: event.userId, action: event.action } },
      'security event',
    );
    this.track(this.audit(event));
    if (NOTABLE.has(event.type) && this.options.webhookUrl) this.track(this.notify(event));
  }

  /** Waits for pending audit writes and webhook calls (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    if (this.inFlight.size >= MAX_WEBHOOKS_IN_FLIGHT * 4) return;
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async audit(event: SecurityEvent): Promise<void> {
    if (!this.options.audit) return;
    try {
      await this.options.audit.insert({
        type: event.type,
        tenant: event.tenant ?? null,
        userId: event.userId ?? null,
        sessionId: event.sessionId ?? null,
        ip: event.ip ?? null,
        userAgent: event.userAgent ?? null,
        details: {
          ...event.details,
          ...(event.email ? { email: event.email } : {}),
          ...(event.action ? { action: event.action } : {}),
        },
        createdAt: this.now(),
      });
    } catch (e) {
      this.options.logger?.warn({ err: e, type: event.type }, 'could not write security event to the audit log');
    }
  }

  private async notify(event: SecurityEvent): Promise<void> {
    if (this.inFlight.size > MAX_WEBHOOKS_IN_FLIGHT) return;
    const payload = { source: 'tessera', kind: 'security_event', at: new Date(this.now()).toISOString(), event };
    await postJson(this.options.webhookUrl!, payload, {
      timeoutMs: 3000,
      onError: (e) =>
        this.options.logger?.warn({ err: String(e), type: event.type }, 'alert webhook did not take a security event'),
    });
  }
}
