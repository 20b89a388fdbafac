import type { AuditRecord } from '../store/types.js';
import type { SessionObserver } from '../sessions/types.js';
import type { LoginOutcome, Metrics } from './metrics.js';
import { postJson } from '../notify/post-json.js';

/** How the session core reports to metrics (runtime passes this as its SessionObserver). */
export function sessionObserver(metrics: Metrics): SessionObserver {
  if (!metrics.enabled) return {};
  return {
    cacheLookup: (tier, result) => metrics.cacheLookup(tier, result),
    sessionWrite: (outcome) => metrics.sessionWrite(outcome === 'done' ? 'written' : 'skipped'),
    dbOp: (op, seconds) => metrics.dbOp(op, seconds),
    redisOp: (op, seconds) => metrics.redisOp(op, seconds),
  };
}

const LOGIN_OUTCOMES = new Set<LoginOutcome>(['invalid_credentials', 'locked_out', 'rate_limited', 'blocked', 'error']);

/** Audit events → logins by outcome and security events by type (subscribe with audit.onEvent). */
export function auditMetricsListener(metrics: Metrics): (event: AuditRecord) => void {
  return (event) => {
    if (event.type === 'login_success') metrics.login('success');
    else if (event.type === 'login_failure') {
      const reason = event.details.reason as LoginOutcome | undefined;
      metrics.login(reason && LOGIN_OUTCOMES.has(reason) ? reason : 'invalid_credentials');
    }
    metrics.securityEvent(event.type);
  };
}

/** One allow/refuse decision of the protection layer (its DecisionListener's argument). */
export interface ProtectionDecisionLike {
  kind: string;
  outcome: 'allowed' | 'refused';
}

/**
 * Protection decisions → the decision counters: the brute-force check before a login (`login_guard`) is a lockout
 * decision (scope `login`); every other kind (ip, login, signup, user, throttled, reputation, ban, denylist) is a
 * rate-limit decision labelled by that kind. Called on the request path: two map lookups and an increment.
 */
export function decisionMetricsListener(metrics: Metrics): (decision: ProtectionDecisionLike) => void {
  return ({ kind, outcome }) => {
    if (kind === 'login_guard') metrics.lockout('login', outcome === 'allowed' ? 'allowed' : 'locked');
    else metrics.rateLimit(kind, outcome === 'allowed' ? 'allowed' : 'limited');
  };
}

/**
 * The outcome of a login answered with an error, when the audit log does not already count it (success and
 * invalid_credentials are counted from their audit events): locked out by the brute-force guard, refused by a rate
 * limit or by reputation (429 rate_limited), refused by a ban or the deny list (403: blocked), or failed (5xx).
 * Anything else (a malformed body) was no login attempt.
 */
export function loginOutcomeOfError(code: string, status: number): LoginOutcome | undefined {
  if (code === 'locked_out') return 'locked_out';
  if (code === 'rate_limited') return 'rate_limited';
  if (code === 'forbidden') return 'blocked';
  if (status >= 500) return 'error';
  return undefined;
}

/** Several observers as one (the runtime's own, a test's, metrics). */
export function composeObservers(...observers: Array<SessionObserver | undefined>): SessionObserver {
  const list = observers.filter((o): o is SessionObserver => o !== undefined && Object.keys(o).length > 0);
  if (list.length <= 1) return list[0] ?? {};
  const each = <K extends keyof SessionObserver>(key: K) => {
    const fns = list.map((o) => o[key]).filter((f): f is NonNullable<SessionObserver[K]> => f !== undefined) as Array<
      (...args: unknown[]) => void
    >;
    return fns.length === 0
      ? undefined
      : (((...args: unknown[]) => {
          for (const f of fns) f(...args);
        }) as SessionObserver[K]);
  };
  return {
    cacheLookup: each('cacheLookup'),
    sessionWrite: each('sessionWrite'),
    dbOp: each('dbOp'),
    redisOp: each('redisOp'),
  };
}

/** Audit events worth waking someone for; the rest stay in the audit log. */
/**
 * Core events worth a notification. The protection layer's events (lockouts, bans, stuffing, spikes…) are
 * notified by src/security/events.ts, de-duplicated per kind, so they are not repeated here.
 */
export const NOTABLE_SECURITY_EVENTS = new Set(['token_reuse_detected', 'roles_changed']);

/**
 * Notable security events → TESSERA_ALERT_WEBHOOK as `{kind:"security", event}` (subscribe with audit.onEvent).
 * Each event is recorded once, by the instance that saw it, so it is sent once.
 */
export function securityWebhookListener(
  url: string,
  onError?: (err: unknown) => void,
  notable: ReadonlySet<string> = NOTABLE_SECURITY_EVENTS,
): (event: AuditRecord) => void {
  return (event) => {
    if (!notable.has(event.type)) return;
    void postJson(url, { kind: 'security', event, sentAt: new Date().toISOString() }, { onError });
  };
}
