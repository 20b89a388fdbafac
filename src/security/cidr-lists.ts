import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses an address into its canonical form, unwrapping IPv4-mapped IPv6 (`::ffff:1.2.3.4` → `1.2.3.4`). */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  // Strict forms only: ipaddr.isValid would also take `1.2.3`, octal and hex IPv4 shorthands.
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) addr = ipaddr.IPv4.parse(text);
  else if (text.includes(':') && ipaddr.IPv6.isValid(text)) addr = ipaddr.IPv6.parse(text);
  else return undefined;
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()
    ? (addr as ipaddr.IPv6).toIPv4Address()
    : addr;
}

/** The canonical text of an address (what every counter and ban is keyed by), or undefined when it is not one. */
export function normaliseIp(text: string): string | undefined {
  return parseIp(text)?.toString();
}

/** A fixed set of CIDR ranges (and single addresses) answering "does this address fall in one of them". */
export class CidrList {
  private readonly v4: Range[] = [];
  private readonly v6: Range[] = [];

  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const range: Range = entry.includes('/')
        ? ipaddr.parseCIDR(entry)
        : (() => {
            const addr = parseIp(entry);
            if (!addr) throw new Error(`not an IP address or CIDR: ${entry}`);
            return [addr, addr.kind() === 'ipv4' ? 32 : 128] as Range;
          })();
      const [addr, bits] = range;
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        this.v4.push([(addr as ipaddr.IPv6).toIPv4Address(), bits - 96]);
      } else (addr.kind() === 'ipv4' ? this.v4 : this.v6).push(range);
    }
  }

  get empty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** True when `ip` (text or parsed) lies in any range; false for anything that is not an address. */
  contains(ip: string | ipaddr.IPv4 | ipaddr.IPv6): boolean {
    if (this.empty) return false;
    const addr = typeof ip === 'string' ? parseIp(ip) : ip;
    if (!addr) return false;
    const ranges = addr.kind() === 'ipv4' ? this.v4 : this.v6;
    for (const range of ranges) if (addr.match(range)) return true;
    return false;
  }
}
