import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { resolveTarget, selfUrl, type SelfAddress } from '../../../src/loadtest/service/target.js';

const SELF: SelfAddress = { host: '127.0.0.1', port: 4000 };
const ALLOW = ['staging.example.com', '10.0.0.5:8080', '[2001:db8::1]:443'];
const decide = (target: string | undefined, self = SELF) => resolveTarget(target, self, ALLOW);

describe('load-test target allow-list', () => {
  it('defaults to this server and knows it under every spelling of its own address', () => {
    expect(decide(undefined)).toEqual({ ok: true, url: 'http://127.0.0.1:4000/', self: true });
    for (const spelling of [
      'http://127.0.0.1:4000',
      'http://localhost:4000/',
      'HTTP://LOCALHOST:4000',
      'http://localhost.:4000',
      'http://127.1:4000',
      'http://2130706433:4000',
      'http://0x7f.0.0.1:4000',
      'http://[::ffff:127.0.0.1]:4000',
    ]) {
      // Rewritten to the address itself: no name resolution can send the load elsewhere.
      expect(decide(spelling), spelling).toEqual({ ok: true, url: 'http://127.0.0.1:4000/', self: true });
    }
  });

  it('refuses every other port and address of the machine, however spelled', () => {
    for (const target of [
      'http://127.0.0.1:5432',
      'http://localhost:6379/',
      'http://127.1:22',
      'http://0x7f000001:3306',
      'http://127.0.0.2:4000',
      'http://[::1]:4000',
      'http://0.0.0.0:4000',
      'http://[::]:4000',
      'https://127.0.0.1:4000',
      'http://169.254.169.254/',
    ]) {
      expect(decide(target), target).toMatchObject({ ok: false });
    }
  });

  it('refuses user info, other schemes, queries, fragments, backslashes and whitespace', () => {
    const cases: Array<[string, RegExp]> = [
      ['http://user:pass@127.0.0.1:4000/', /user info/],
      ['http://@127.0.0.1:4000/', /user info/],
      ['http://127.0.0.1:4000@evil.example/', /user info/],
      ['http://staging.example.com@evil.example/', /user info/],
      ['ftp://127.0.0.1:4000/', /only http and https/],
      ['file:///etc/passwd', /only http and https/],
      ['javascript:alert(1)', /only http and https/],
      ['ws://127.0.0.1:4000/', /only http and https/],
      ['gopher://127.0.0.1:4000/_x', /only http and https/],
      ['http://127.0.0.1:4000/?next=http://evil.example', /no query or fragment/],
      ['http://evil.example#@127.0.0.1:4000', /no query or fragment/],
      ['http://evil.example\\@127.0.0.1:4000', /backslash/],
      ['http://127.0.0.1:4000\n.evil.example/', /whitespace/],
      [' http://127.0.0.1:4000/', /whitespace/],
      ['127.0.0.1:4000', /only http and https|not a URL/],
      ['not a url', /whitespace|not a URL/],
      ['//127.0.0.1:4000/', /not a URL/],
    ];
    for (const [target, reason] of cases) {
      const d = decide(target);
      expect(d.ok, target).toBe(false);
      if (!d.ok) expect(d.reason, target).toMatch(reason);
    }
  });

  it('allows listed hosts: a bare host on any port, host:port on that port only', () => {
    expect(decide('https://staging.example.com/')).toEqual({
      ok: true,
      url: 'https://staging.example.com/',
      self: false,
    });
    expect(decide('http://STAGING.example.com.:8443/api')).toMatchObject({ ok: true, self: false });
    expect(decide('http://10.0.0.5:8080/')).toMatchObject({ ok: true });
    expect(decide('https://[2001:db8::1]/')).toMatchObject({ ok: true });
    for (const target of [
      'http://10.0.0.5:8081/',
      'http://10.0.0.5/',
      'http://[2001:db8::1]/',
      'http://staging.example.com.evil.example/',
      'http://evil.example/staging.example.com',
      'http://sub.staging.example.com/',
    ]) {
      expect(decide(target), target).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/LOADTEST_ALLOW_HOSTS/),
      });
    }
  });

  it('when listening on every interface, this server is its loopback address', () => {
    const any4 = { host: '0.0.0.0', port: 4000 };
    const any6 = { host: '::', port: 4000 };
    expect(selfUrl(any4)).toBe('http://127.0.0.1:4000/');
    expect(decide('http://localhost:4000', any4)).toEqual({ ok: true, url: 'http://127.0.0.1:4000/', self: true });
    expect(decide('http://[::1]:4000', any6)).toEqual({ ok: true, url: 'http://[::1]:4000/', self: true });
    expect(decide('http://127.0.0.1:4001', any4)).toMatchObject({ ok: false });
  });

  it('LOADTEST_ALLOW_HOSTS takes hostnames and host:port only', () => {
    expect(
      loadConfig({ LOADTEST_ALLOW_HOSTS: 'staging.example.com, 10.0.0.5:8080,[2001:db8::1]:443' }).loadtestAllowHosts,
    ).toEqual(['staging.example.com', '10.0.0.5:8080', '[2001:db8::1]:443']);
    for (const bad of [
      'http://staging.example.com',
      '*.example.com',
      'example.com/path',
      'user@example.com',
      'example.com:99999',
      '::1',
    ]) {
      expect(() => loadConfig({ LOADTEST_ALLOW_HOSTS: bad }), bad).toThrow(ConfigError);
    }
  });
});
