/**
 * Security headers for a JSON API, computed once. The dashboard's HTML page keeps its own Content-Security-Policy
 * (it needs its own scripts): the JSON policy is set only on responses that do not already carry one and are not HTML.
 */
export interface SecurityHeaders {
  /** On every response. */
  readonly always: Readonly<Record<string, string>>;
  /** On non-HTML responses without their own CSP. */
  readonly jsonCsp: string;
  /** On /v1/* responses without their own Cache-Control (sessions, tokens, user data must never be cached). */
  readonly noStore: string;
  /** Strict-Transport-Security: on every response when `tls`, else on requests that arrived over HTTPS (per TRUST_PROXY). */
  readonly hsts: string;
  readonly tls: boolean;
}

export function buildSecurityHeaders(options: { tls: boolean }): SecurityHeaders {
  const always: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'x-permitted-cross-domain-policies': 'none',
  };
  const hsts = 'max-age=31536000; includeSubDomains';
  if (options.tls) always['strict-transport-security'] = hsts;
  return Object.freeze({
    hsts,
    tls: options.tls,
    always: Object.freeze(always),
    jsonCsp: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    noStore: 'no-store',
  });
}
