import type { FieldParser } from '../config/fields.js';

/** The parts of protection that can be switched off one by one (to measure each one's cost: bench --suite security). */
export const PROTECTION_FEATURE_NAMES = ['audit', 'anomalies', 'rate-limits', 'reputation', 'alerts'] as const;
export type ProtectionFeatureName = (typeof PROTECTION_FEATURE_NAMES)[number];

export interface ProtectionFeatures {
  /** The audit log: account events (signup, logins, logouts…) and security events written to the database. */
  readonly audit: boolean;
  /** Anomaly rules: request spikes, credential stuffing, distributed attacks, token spraying, client changes. */
  readonly anomalies: boolean;
  /** Per-IP, per-route and per-user rate limits, and the login brute-force guard. */
  readonly rateLimits: boolean;
  /** IP reputation: scores lowered by failures, refusals below REPUTATION_THRESHOLD. */
  readonly reputation: boolean;
  /** Alert dispatch: notable security events POSTed to TESSERA_ALERT_WEBHOOK. */
  readonly alerts: boolean;
}

export const ALL_PROTECTION_FEATURES: ProtectionFeatures = Object.freeze({
  audit: true,
  anomalies: true,
  rateLimits: true,
  reputation: true,
  alerts: true,
});

/** `all`, `none`, or a comma-separated list of PROTECTION_FEATURE_NAMES. */
export const asProtectionFeatures: FieldParser<ProtectionFeatures> = (raw) => {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return { value: ALL_PROTECTION_FEATURES };
  if (items.length === 1 && items[0] === 'none') return { value: featuresOf([]) };
  const unknown = items.find((item) => !(PROTECTION_FEATURE_NAMES as readonly string[]).includes(item));
  if (unknown !== undefined || items.length === 0)
    return {
      error: `must be all, none or a comma-separated list of ${PROTECTION_FEATURE_NAMES.join(', ')}, got "${raw}"`,
    };
  return { value: featuresOf(items as ProtectionFeatureName[]) };
};

function featuresOf(names: ProtectionFeatureName[]): ProtectionFeatures {
  const has = new Set(names);
  return Object.freeze({
    audit: has.has('audit'),
    anomalies: has.has('anomalies'),
    rateLimits: has.has('rate-limits'),
    reputation: has.has('reputation'),
    alerts: has.has('alerts'),
  });
}
