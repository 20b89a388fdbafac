import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadConfig, ConfigError } from '../../src/config/index.js';
import { CidrList, normaliseIp } from '../../src/security/cidr-lists.js';
import { createClientIpResolver } from '../../src/security/client-ip.js';

describe('client IP resolution', () => {
  const xff = '203.0.113.9, 198.51.100.7, 10.0.0.2';

  it('ignores X-Forwarded-For by default (TRUST_PROXY=false)', () => {
    const resolve = createClientIpResolver(loadConfig({}).trustProxy!);
    expect(resolve('10.0.0.1', xff)).toBe('10.0.0.1');
    expect(resolve('::ffff:192.0.2.1', xff)).toBe('192.0.2.1');
  });

  it('takes the left-most entry when every proxy is trusted (true)', () => {
    expect(createClientIpResolver(true)('10.0.0.1', xff)).toBe('203.0.113.9');
    expect(createClientIpResolver(true)('10.0.0.1', undefined)).toBe('10.0.0.1');
  });

  it('trusts exactly n hops with a hop count', () => {
    expect(createClientIpResolver(1)('10.0.0.1', xff)).toBe('10.0.0.2');
    expect(createClientIpResolver(2)('10.0.0.1', xff)).toBe('198.51.100.7');
    expect(createClientIpResolver(9)('10.0.0.1', xff)).toBe('203.0.113.9');
  });

  it('walks only through trusted proxies with a CIDR list', () => {
    const resolve = createClientIpResolver(['10.0.0.0/8']);
    expect(resolve('10.0.0.1', xff)).toBe('198.51.100.7');
    expect(resolve('192.0.2.50', xff)).toBe('192.0.2.50');
    expect(createClientIpResolver(['10.0.0.0/8', '198.51.100.7'])('10.0.0.1', xff)).toBe('203.0.113.9');
  });

  it('stops at garbage, strips ports, unwraps IPv4-mapped IPv6', () => {
    expect(createClientIpResolver(true)('10.0.0.1', 'evil, 198.51.100.7:4431')).toBe('198.51.100.7');
    expect(createClientIpResolver(true)('10.0.0.1', '[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(createClientIpResolver(true)('10.0.0.1', '::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('never throws and always answers an address or the raw socket value (property)', () => {
    const resolvers = [createClientIpResolver(true), createClientIpResolver(2), createClientIpResolver(['10.0.0.0/8'])];
    fc.assert(fc.property(fc.string(), fc.option(fc.string()), (header, remote) => {
      for (const r of resolvers) {
        const ip = r(remote ?? undefined, header);
        expect(typeof ip).toBe('string');
      }
    }));
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
    expect(loadConfig({ IP_DENYLIST: '10.0.0.0/8, 2001:db8::/32' }).ipDenylist).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(() => loadConfig({ IP_ALLOWLIST: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(() => loadConfig({ IP_DENYLIST: 'example.com' })).toThrow(/IP_DENYLIST/);
  });
});
