import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadConfig, ConfigError } from '../../src/config/index.js';
import { CidrList, normaliseIp } from '../../src/security/cidr-lists.js';
import { createClientIpResolver } from '../../src/security/client-ip.js';

/** One hop of a generated chain: how it is written, its canonical form, and whether 10.0.0.0/8 trusts it. */
interface Hop {
  text: string;
  canonical: string;
  trusted: boolean;
}

const byte = fc.integer({ min: 0, max: 255 });
const trustedHop: fc.Arbitrary<Hop> = fc.tuple(byte, byte, byte, fc.boolean()).map(([a, b, c, mapped]) => ({
  text: `${mapped ? '::ffff:' : ''}10.${a}.${b}.${c}`,
  canonical: `10.${a}.${b}.${c}`,
  trusted: true,
}));
const untrustedHop: fc.Arbitrary<Hop> = fc.oneof(
  byte.map((c) => ({ text: `198.51.100.${c}`, canonical: `198.51.100.${c}`, trusted: false })),
  byte.map((c) => ({ text: `::FFFF:203.0.113.${c}`, canonical: `203.0.113.${c}`, trusted: false })),
  fc.integer({ min: 1, max: 0xffff }).map((n) => ({
    text: `2001:DB8:0:0::${n.toString(16).toUpperCase()}`,
    canonical: `2001:db8::${n.toString(16)}`,
    trusted: false,
  })),
);
const hop = fc.oneof(trustedHop, untrustedHop);
/** How a proxy may write a hop into X-Forwarded-For: bare, or with a port (bracketed for IPv6). */
const written = (h: Hop, port: number | null): string =>
  port === null ? h.text : h.canonical.includes(':') ? `[${h.text}]:${port}` : `${h.canonical}:${port}`;

describe('client IP resolution', () => {
  const xff = '203.0.113.9, 198.51.100.7, 10.0.0.2';

  it('ignores X-Forwarded-For by default (TRUST_PROXY=false), answering the canonical peer address', () => {
    const resolve = createClientIpResolver(loadConfig({}).trustProxy);
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(resolve('10.0.0.1', xff)).toBe('10.0.0.1');
    expect(resolve('::ffff:192.0.2.1', xff)).toBe('192.0.2.1');
    expect(resolve('2001:DB8:0:0::1', xff)).toBe('2001:db8::1');
    expect(resolve(undefined, xff)).toBe('unknown');
    expect(resolve('', xff)).toBe('unknown');
    // A hop count of 0 trusts nothing either.
    expect(createClientIpResolver(0)('10.0.0.1', xff)).toBe('10.0.0.1');
  });

  it('takes the left-most entry when every proxy is trusted (true)', () => {
    expect(createClientIpResolver(true)('10.0.0.1', xff)).toBe('203.0.113.9');
    expect(createClientIpResolver(true)('10.0.0.1', undefined)).toBe('10.0.0.1');
    expect(createClientIpResolver(true)('10.0.0.1', '')).toBe('10.0.0.1');
    expect(createClientIpResolver(true)('10.0.0.1', ' 198.51.100.7 ,, 10.0.0.3 ')).toBe('198.51.100.7');
    // Several header lines are one list, in order.
    expect(createClientIpResolver(true)('10.0.0.1', ['203.0.113.9', '198.51.100.7, 10.0.0.2'])).toBe('203.0.113.9');
  });

  it('trusts exactly n hops with a hop count', () => {
    expect(createClientIpResolver(1)('10.0.0.1', xff)).toBe('10.0.0.2');
    expect(createClientIpResolver(2)('10.0.0.1', xff)).toBe('198.51.100.7');
    expect(createClientIpResolver(3)('10.0.0.1', xff)).toBe('203.0.113.9');
    expect(createClientIpResolver(9)('10.0.0.1', xff)).toBe('203.0.113.9');
    expect(createClientIpResolver(2)('10.0.0.1', ['203.0.113.9', '198.51.100.7, 10.0.0.2'])).toBe('198.51.100.7');
    // A client writing its own X-Forwarded-For cannot push its real address out of the trusted hops.
    expect(createClientIpResolver(1)('10.0.0.1', '1.1.1.1, 198.51.100.7')).toBe('198.51.100.7');
  });

  it('walks only through trusted proxies with a CIDR list', () => {
    const resolve = createClientIpResolver(['10.0.0.0/8']);
    expect(resolve('10.0.0.1', xff)).toBe('198.51.100.7');
    // The peer is not a trusted proxy: its X-Forwarded-For is ignored.
    expect(resolve('192.0.2.50', xff)).toBe('192.0.2.50');
    expect(resolve('192.0.2.50', '10.0.0.9')).toBe('192.0.2.50');
    // A spoofed left-most entry behind the real client is never reached.
    expect(resolve('10.0.0.2', '1.1.1.1, 198.51.100.7')).toBe('198.51.100.7');
    // Every hop trusted: the left-most entry.
    expect(resolve('10.0.0.1', '10.1.1.1, 10.0.0.2')).toBe('10.1.1.1');
    expect(createClientIpResolver(['10.0.0.0/8', '198.51.100.7'])('10.0.0.1', xff)).toBe('203.0.113.9');
    // No socket address: nothing to trust, nothing read from the header.
    expect(resolve(undefined, xff)).toBe('unknown');
  });

  it('matches trusted proxies across IPv6 and IPv4-mapped forms', () => {
    const v6 = createClientIpResolver(['2001:db8::/32']);
    expect(v6('2001:db8::5', '198.51.100.7')).toBe('198.51.100.7');
    expect(v6('2001:db9::5', '198.51.100.7')).toBe('2001:db9::5');
    expect(v6('2001:db8::5', '2001:db8:1::1, 2001:DB8:0:0:0:0:0:9')).toBe('2001:db8:1::1');
    // An IPv4 proxy seen through a dual-stack socket is still the IPv4 proxy, and the answer is unwrapped.
    expect(createClientIpResolver(['10.0.0.0/8'])('::ffff:10.0.0.1', '::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(createClientIpResolver(['10.0.0.0/8'])('::ffff:10.0.0.1', '2001:DB8::0:1')).toBe('2001:db8::1');
    expect(createClientIpResolver(['::ffff:10.0.0.0/104'])('10.0.0.1', '198.51.100.7')).toBe('198.51.100.7');
  });

  it('stops at garbage, strips ports, unwraps IPv4-mapped IPv6', () => {
    expect(createClientIpResolver(true)('10.0.0.1', 'evil, 198.51.100.7:4431')).toBe('198.51.100.7');
    expect(createClientIpResolver(true)('10.0.0.1', '[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(createClientIpResolver(true)('10.0.0.1', '::ffff:203.0.113.9')).toBe('203.0.113.9');
    // Garbage in the middle stops the walk at the last good hop to its right.
    expect(createClientIpResolver(true)('10.0.0.1', '203.0.113.9, garbage, 10.0.0.2')).toBe('10.0.0.2');
    // Only strict dotted-quad IPv4: shorthands and octal are garbage.
    expect(createClientIpResolver(true)('10.0.0.1', '1.2.3')).toBe('10.0.0.1');
    expect(createClientIpResolver(true)('10.0.0.1', '0177.0.0.1')).toBe('10.0.0.1');
  });

  it('answers exactly the hop each trust setting allows, for any chain of proxies (property)', () => {
    const port = fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: null });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(hop, port), { maxLength: 6 }),
        hop,
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        (entries, socket, n, asLines) => {
          const header = asLines
            ? entries.map(([h, p]) => written(h, p))
            : entries.map(([h, p]) => written(h, p)).join(', ');
          // Hops nearest last: the left-most X-Forwarded-For entry first, the socket at the end.
          const full = [...entries.map(([h]) => h), socket];
          expect(createClientIpResolver(false)(socket.text, header)).toBe(socket.canonical);
          expect(createClientIpResolver(true)(socket.text, header)).toBe(full[0].canonical);
          expect(createClientIpResolver(n)(socket.text, header)).toBe(full[Math.max(0, full.length - 1 - n)].canonical);
          let i = full.length - 1;
          while (i > 0 && full[i].trusted) i--;
          expect(createClientIpResolver(['10.0.0.0/8'])(socket.text, header)).toBe(full[i].canonical);
        },
      ),
    );
  });

  it('never throws and answers the socket value or a canonical address, whatever the header (property)', () => {
    const resolvers = [createClientIpResolver(true), createClientIpResolver(2), createClientIpResolver(['10.0.0.0/8'])];
    const untrusting = createClientIpResolver(false);
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (header, remote) => {
        const socket = remote ? (normaliseIp(remote) ?? remote) : 'unknown';
        expect(untrusting(remote, header)).toBe(socket);
        for (const r of resolvers) {
          const ip = r(remote, header);
          if (ip !== socket) expect(normaliseIp(ip)).toBe(ip);
        }
      }),
    );
  });
});

describe('CIDR lists', () => {
  it('matches IPv4, IPv6 and IPv4-mapped addresses', () => {
    const list = new CidrList(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(list.contains('10.200.1.1')).toBe(true);
    expect(list.contains('::ffff:10.1.2.3')).toBe(true);
    expect(list.contains('2001:db8:1::5')).toBe(true);
    expect(list.contains('192.0.2.7')).toBe(true);
    expect(list.contains('192.0.2.8')).toBe(false);
    expect(list.contains('11.0.0.1')).toBe(false);
    expect(list.contains('not-an-ip')).toBe(false);
    expect(new CidrList([]).contains('10.0.0.1')).toBe(false);
  });

  it('canonicalises addresses', () => {
    expect(normaliseIp('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(normaliseIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(normaliseIp('1.2.3')).toBeUndefined();
  });

  it('IP_ALLOWLIST / IP_DENYLIST reject what is not an address or CIDR, naming the variable', () => {
    expect(loadConfig({ IP_DENYLIST: '10.0.0.0/8, 2001:db8::/32' }).ipDenylist).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
    ]);
    expect(() => loadConfig({ IP_ALLOWLIST: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ IP_DENYLIST: 'example.com' })).toThrow(/IP_DENYLIST/);
  });
});
