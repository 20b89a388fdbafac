import { LazyLru } from './lazy-lru.js';
import type { Bans } from './bans.js';
import { parseIp, type CidrList } from './cidr-lists.js';
import type { DistinctCounter } from './distinct-counter.js';
import type { SecurityAction, SecurityEventSink, SecurityEventType } from './events.js';
import { PENALTY, type Reputation } from './reputation.js';

export interface AnomalySettings {
  stuffingEmails: number;
  stuffingAction: SecurityAction;
  distributedIps: number;
  distributedAction: SecurityAction;
  spikePer10s: number;
  spikeAction: SecurityAction;
  sessionClientAction: SecurityAction;
  invalidTokensPerMin: number;
  invalidTokensAction: SecurityAction;
  banTtlMs: number;
  throttleTtlMs: number;
  /** Off (PROTECTION_FEATURES without anomalies): no rule counts or raises anything. */
  enabled?: boolean;
}

const NO_CHANGE: ClientChange = Object.freeze({ changed: false, severity: 'none', reasons: [] });

export interface ClientFingerprint {
  ip: string | null | undefined;
  userAgent: string | null | undefined;
}

export interface ClientChange {
  changed: boolean;
  /** high: both the user-agent family and the network changed. */
  severity: 'none' | 'low' | 'high';
  reasons: Array<'user_agent_family' | 'ip_network'>;
}

/**
 * Whether a session is used from a very different client than the one that created it: another browser or OS family
 * (versions may change freely), or another network (IPv4 /16, IPv6 /32 — a phone moving between cells stays inside).
 */
export function detectSessionClientChange(created: ClientFingerprint, current: ClientFingerprint): ClientChange {
  const reasons: ClientChange['reasons'] = [];
  if (
    created.userAgent &&
    current.userAgent &&
    userAgentFamily(created.userAgent) !== userAgentFamily(current.userAgent)
  )
    reasons.push('user_agent_family');
  if (created.ip && current.ip && networkOf(created.ip) !== networkOf(current.ip)) reasons.push('ip_network');
  return {
    changed: reasons.length > 0,
    severity: reasons.length === 0 ? 'none' : reasons.length === 2 ? 'high' : 'low',
    reasons,
  };
}

const BROWSERS: Array<[RegExp, string]> = [
  [/edg(e|a|ios)?\//i, 'edge'],
  [/opr\/|opera/i, 'opera'],
  [/samsungbrowser/i, 'samsung'],
  [/firefox|fxios/i, 'firefox'],
  [/chrome|crios|chromium/i, 'chrome'],
  [/safari/i, 'safari'],
  [/curl\//i, 'curl'],
  [/python|aiohttp|httpx/i, 'python'],
  [/okhttp/i, 'okhttp'],
  [/go-http-client/i, 'go'],
  [/node|undici|axios/i, 'node'],
  [/bot|crawler|spider/i, 'bot'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/android/i, 'android'],
  [/iphone|ipad|ios/i, 'ios'],
  [/windows/i, 'windows'],
  [/mac os|macintosh/i, 'macos'],
  [/cros/i, 'chromeos'],
  [/linux/i, 'linux'],
];

/** `browser/os` without versions, e.g. `firefox/linux`; `other/other` when unrecognised. */
export function userAgentFamily(userAgent: string): string {
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1] ?? 'other';
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1] ?? 'other';
  return `${browser}/${system}`;
}

function networkOf(ip: string): string {
  const addr = parseIp(ip);
  if (!addr) return ip;
  const bytes = addr.toByteArray();
  return addr.kind() === 'ipv4' ? `${bytes[0]}.${bytes[1]}` : bytes.slice(0, 4).join(':');
}

/**
 * The anomaly rules: credential stuffing (one IP failing for many distinct emails), a distributed attack on one
 * account (many distinct IPs failing on one email), request-rate spikes per IP, token spraying (many unknown or
 * malformed session tokens from one IP), and sessions changing client. Each raises a security event (once per window
 * per subject) and applies its configured action, except that an allow-listed IP is never throttled or banned.
 */
export class Anomalies {
  private readonly spikes = new LazyLru<string, { windowStart: number; count: number }>({ max: 100_000 });
  private readonly invalidTokens = new LazyLru<string, { windowStart: number; count: number }>({ max: 100_000 });
  private readonly raised = new LazyLru<string, true>({ max: 50_000, ttl: 60_000 });
  /** (session, ip, user agent) seen within the last minute: the validation path pays for the check once, not per request. */
  private readonly sessionsChecked = new LazyLru<string, ClientChange>({ max: 100_000, ttl: 60_000 });

  constructor(
    private readonly settings: AnomalySettings,
    private readonly deps: {
      emailsPerIp: DistinctCounter;
      ipsPerEmail: DistinctCounter;
      events: SecurityEventSink;
      reputation: Reputation;
      bans: Bans;
      /** IP_ALLOWLIST: events are still raised for these addresses, but only logged. */
      allowlist?: CidrList;
    },
  ) {}

  /** Called by the login guard on every failed login. */
  async onLoginFailure({ emailKey, email, ip }: { emailKey: string; email: string; ip: string }): Promise<void> {
    if (this.settings.enabled === false) return;
    const [emails, ips] = await Promise.all([
      this.deps.emailsPerIp.add(ip, emailKey),
      this.deps.ipsPerEmail.add(emailKey, ip),
    ]);
    const work: Promise<void>[] = [];
    if (emails >= this.settings.stuffingEmails) {
      work.push(
        this.raise('credential_stuffing', `cs:${ip}`, this.settings.stuffingAction, {
          ip,
          details: { distinctEmails: emails },
        }),
      );
    }
    if (ips >= this.settings.distributedIps) {
      // The account is protected by the login guard's account lock; the action falls on the IP that crossed the line.
      work.push(
        this.raise('distributed_attack', `da:${emailKey}`, this.settings.distributedAction, {
          ip,
          email,
          details: { distinctIps: ips },
        }),
      );
    }
    await Promise.all(work);
  }

  /** Counts a request of `ip` (in-process, fixed 10 s window). Sync and cheap: called on every request. */
  onRequest(ip: string, now = Date.now()): void {
    if (this.settings.enabled === false) return;
    let entry = this.spikes.get(ip);
    if (!entry || now - entry.windowStart >= 10_000) {
      entry = { windowStart: now, count: 0 };
      this.spikes.set(ip, entry);
    }
    if (++entry.count === this.settings.spikePer10s) {
      void this.raise('request_spike', `sp:${ip}`, this.settings.spikeAction, {
        ip,
        details: { requestsIn10s: entry.count },
      });
    }
  }

  /**
   * Counts an unknown, expired or malformed session token presented by `ip` (in-process, fixed one-minute window).
   * Sync and cheap: called on every refused token, which a spray makes many of.
   */
  onInvalidToken(ip: string, now = Date.now()): void {
    if (this.settings.enabled === false) return;
    let entry = this.invalidTokens.get(ip);
    if (!entry || now - entry.windowStart >= 60_000) {
      entry = { windowStart: now, count: 0 };
      this.invalidTokens.set(ip, entry);
    }
    if (++entry.count === this.settings.invalidTokensPerMin) {
      void this.raise('token_spraying', `ts:${ip}`, this.settings.invalidTokensAction, {
        ip,
        details: { invalidTokensInMinute: entry.count },
      });
    }
  }

  /** For the session validation path: records an event when the session's client changed a lot; returns the finding. */
  async onSessionUse(
    created: ClientFingerprint,
    current: ClientFingerprint,
    context: { userId?: string; sessionId?: string; tenant?: string } = {},
  ): Promise<ClientChange> {
    if (this.settings.enabled === false) return NO_CHANGE;
    const memoKey = context.sessionId
      ? `${context.sessionId}|${current.ip ?? ''}|${current.userAgent ?? ''}`
      : undefined;
    const seen = memoKey ? this.sessionsChecked.get(memoKey) : undefined;
    if (seen) return seen;
    const change = detectSessionClientChange(created, current);
    if (memoKey) this.sessionsChecked.set(memoKey, change);
    if (change.changed) {
      await this.raise(
        'session_client_change',
        `sc:${context.sessionId ?? ''}:${change.reasons.join(',')}`,
        this.settings.sessionClientAction,
        {
          ip: current.ip ?? undefined,
          userId: context.userId,
          sessionId: context.sessionId,
          tenant: context.tenant,
          userAgent: current.userAgent ?? undefined,
          details: {
            reasons: change.reasons,
            severity: change.severity,
            createdIp: created.ip,
            createdUserAgent: created.userAgent,
          },
        },
      );
    }
    return change;
  }

  private async raise(
    type: SecurityEventType,
    onceKey: string,
    action: SecurityAction,
    event: {
      ip?: string;
      email?: string;
      userId?: string;
      sessionId?: string;
      tenant?: string;
      userAgent?: string;
      details: Record<string, unknown>;
    },
  ): Promise<void> {
    if (this.raised.has(onceKey)) return;
    this.raised.set(onceKey, true);
    const ip = event.ip;
    if (ip && action !== 'log' && this.deps.allowlist?.contains(ip)) {
      // The operator vouched for this address: the event is kept, the action is not taken.
      this.deps.events.record({ type, action: 'log', ...event, details: { ...event.details, allowlisted: true } });
      return;
    }
    this.deps.events.record({ type, action, ...event });
    if (!ip || action === 'log') return;
    await this.deps.reputation.penalise(ip, PENALTY.anomaly).catch(() => {});
    if (action === 'throttle') await this.deps.reputation.throttle(ip, this.settings.throttleTtlMs).catch(() => {});
    if (action === 'ban') {
      await this.deps.bans
        .add({ ip, ttlMs: this.settings.banTtlMs, reason: type, createdBy: `anomaly:${type}` })
        .catch(() => {});
      this.deps.events.record({
        type: 'ip_banned',
        ip,
        action: 'ban',
        details: { reason: type, ttlMs: this.settings.banTtlMs, by: 'anomaly' },
      });
    }
  }
}
