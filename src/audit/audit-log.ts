import type { Logger } from 'pino';
import type { AuditRecord, AuditRepository } from '../store/types.js';

export type AuditEventType =
  | 'signup'
  | 'login_success'
  | 'login_failure'
  | 'logout'
  | 'logout_all'
  | 'session_refresh'
  | 'session_revoked'
  | 'token_reuse_detected'
  | 'password_changed'
  | 'roles_changed'
  | 'lockout'
  | 'ban'
  | 'unban'
  | (string & {});

export interface AuditInput {
  tenant?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

export type AuditListener = (event: AuditRecord) => void;

/**
 * The audit trail: every event lands in the database; listeners (metrics, webhook) hear about it after.
 * Recording never fails the request that caused it: a database outage is logged, not thrown.
 */
export class AuditLog {
  private readonly listeners: AuditListener[] = [];

  constructor(
    private readonly repo: AuditRepository,
    private readonly logger: Logger,
    /** Off (PROTECTION_FEATURES without audit) only to measure its cost: nothing is recorded. */
    private readonly enabled = true,
  ) {}

  onEvent(listener: AuditListener): void {
    this.listeners.push(listener);
  }

  async record(type: AuditEventType, input: AuditInput = {}): Promise<void> {
    if (!this.enabled) return;
    try {
      const event = await this.repo.insert({
        type,
        tenant: input.tenant ?? null,
        userId: input.userId ?? null,
        sessionId: input.sessionId ?? null,
        ip: input.ip ?? null,
        userAgent: input.userAgent ?? null,
        details: input.details ?? {},
        createdAt: Date.now(),
      });
      for (const listener of this.listeners) listener(event);
    } catch (error) {
      this.logger.error({ err: error, auditType: type }, 'audit event could not be recorded');
    }
  }
}
