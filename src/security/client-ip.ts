import { CidrList, parseIp } from './cidr-lists.js';

/** TRUST_PROXY as the config parses it: false (default), true, a hop count, or trusted proxy addresses/CIDRs. */
export type TrustProxy = boolean | number | readonly string[];

/** Turns the socket address and the X-Forwarded-For header into the client address every protection keys by. */
export type ClientIpResolver = (
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
) => string;

/**
 * Builds the one client-IP rule of the service (as proxy-addr does, without trusting anything by default):
 * - `false`: the socket address; X-Forwarded-For is ignored.
 * - `true`: the left-most X-Forwarded-For entry (every proxy is trusted).
 * - `n`: trust the n nearest hops: the n-th entry counted from the right (the socket is hop 0).
 * - CIDR list: walk from the socket leftwards while the current hop is a trusted proxy.
 * The answer is always a canonical address (IPv4-mapped IPv6 unwrapped); invalid entries stop the walk.
 */
export function createClientIpResolver(trust: TrustProxy): ClientIpResolver {
  if (trust === false || trust === 0) return (remote) => canonical(remote);
  const trusted = Array.isArray(trust) ? new CidrList(trust) : undefined;
  const maxHops = typeof trust === 'number' ? trust : Number.POSITIVE_INFINITY;
  return (remote, forwardedFor) => {
    const socket = canonical(remote);
    if (forwardedFor === undefined) return socket;
    // Hops nearest first: the socket, then X-Forwarded-For from right to left.
    const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    let client = socket;
    let hops = 0;
    for (let i = chain.length - 1; i >= 0; i--) {
      if (hops >= maxHops) break;
      if (trusted && !trusted.contains(client)) break;
      const next = parseIp(stripPort(chain[i]));
      if (!next) break;
      client = next.toString();
      hops++;
    }
    return client;
  };
}

const PLAIN_IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function canonical(address: string | undefined): string {
  if (!address) return 'unknown';
  if (PLAIN_IPV4.test(address)) return address; // the common case, already canonical: skip parsing
  return parseIp(address)?.toString() ?? address;
}

/** X-Forwarded-For entries sometimes carry a port (`1.2.3.4:5678`, `[2001:db8::1]:443`). */
function stripPort(entry: string): string {
  if (entry.startsWith('[')) return entry.slice(1, entry.indexOf(']') === -1 ? undefined : entry.indexOf(']'));
  const colon = entry.indexOf(':');
  return colon !== -1 && entry.indexOf(':', colon + 1) === -1 ? entry.slice(0, colon) : entry;
}
