import { normaliseIp } from '../../security/cidr-lists.js';

/** Where this server listens: the bound address (possibly unspecified, 0.0.0.0 or ::) and port. */
export interface SelfAddress {
  host: string;
  port: number;
}

export type TargetDecision = { ok: true; url: string; self: boolean } | { ok: false; reason: string };

const UNSPECIFIED = new Set(['0.0.0.0', '::']);
const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** A hostname as compared here: lower case, no IPv6 brackets, no trailing dot, IP literals canonical (IPv4-mapped unwrapped). */
export function canonicalHost(hostname: string): string {
  const bare = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return normaliseIp(bare) ?? bare;
}

/** The URL that reaches this server: its own address, or the loopback one when it listens on every interface. */
export function selfUrl(self: SelfAddress): string {
  const host = canonicalHost(self.host);
  const ip = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${self.port}/`;
}

/** The spellings of this server's own address: its bound address, loopback when it listens everywhere, `localhost` for loopback. */
function selfHosts(self: SelfAddress): Set<string> {
  const host = canonicalHost(self.host);
  if (host === '0.0.0.0') return new Set(['127.0.0.1', 'localhost']);
  if (host === '::') return new Set(['127.0.0.1', '::1', 'localhost']);
  return LOOPBACK.has(host) ? new Set([host, 'localhost']) : new Set([host]);
}

function allowedBy(entry: string, host: string, port: number): boolean {
  let url: URL;
  try {
    url = new URL(`http://${entry}`);
  } catch {
    return false;
  }
  const explicitPort = /:(\d+)$/.exec(entry)?.[1];
  return canonicalHost(url.hostname) === host && (explicitPort === undefined || Number(explicitPort) === port);
}

/**
 * Decides whether a load test may target `input`: this server itself (the default when no target is
 * given), or a host listed in LOADTEST_ALLOW_HOSTS (`host` allows every port, `host:port` that port only).
 * Everything is judged on the URL as the HTTP client will parse it (WHATWG), so other spellings of an address
 * (`127.1`, `0x7f000001`, `[::ffff:127.0.0.1]`, upper case) are the address they spell, and user info, other
 * schemes, queries and fragments are refused outright. A target that is this server is rewritten to its own
 * address, so no name resolution can send the load elsewhere. The load tester never follows redirects.
 */
export function resolveTarget(
  input: string | undefined,
  self: SelfAddress,
  allowHosts: readonly string[],
): TargetDecision {
  if (input === undefined) return { ok: true, url: selfUrl(self), self: true };
  const refuse = (reason: string): TargetDecision => ({ ok: false, reason });
  if (/[\s\\\u0000-\u001f\u007f]/.test(input))
    return refuse('the target must not contain whitespace, control characters or backslashes');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return refuse('the target is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return refuse(`only http and https targets are allowed, not ${url.protocol.replace(/:$/, '')}`);
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(input)?.[1] ?? '';
  if (url.username || url.password || authority.includes('@'))
    return refuse('the target must not contain user info (user:password@)');
  if (url.search || url.hash || input.includes('?') || input.includes('#'))
    return refuse('the target is a base URL: no query or fragment');
  const host = canonicalHost(url.hostname);
  if (host === '' || UNSPECIFIED.has(host))
    return refuse(`${url.hostname || '(empty)'} is not an address to send requests to`);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (url.protocol === 'http:' && port === self.port && selfHosts(self).has(host)) {
    return { ok: true, url: new URL(url.pathname, selfUrl(self)).href, self: true };
  }
  if (allowHosts.some((entry) => allowedBy(entry, host, port))) return { ok: true, url: url.href, self: false };
  const shown = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return refuse(`${shown} is neither this server nor a host listed in LOADTEST_ALLOW_HOSTS`);
}
