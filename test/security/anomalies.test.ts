import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../src/auth/normalize.js';
import { detectSessionClientChange, userAgentFamily } from '../../src/security/anomalies.js';
import type { SecurityEvent } from '../../src/security/events.js';
import { createProtection } from '../../src/security/protection.js';
import { describeWith } from '../helpers/services.js';
import { counterBackends } from './backends.js';
import { testConfig } from './fixtures.js';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const FIREFOX_LINUX_NEWER = 'Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0';
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('session client change', () => {
  it('recognises browser and OS families, ignoring versions', () => {
    expect(userAgentFamily(FIREFOX_LINUX)).toBe('firefox/linux');
    expect(userAgentFamily(CHROME_WINDOWS)).toBe('chrome/windows');
    expect(userAgentFamily(SAFARI_IPHONE)).toBe('safari/ios');
    expect(userAgentFamily('curl/8.5.0')).toBe('curl/other');
  });

  it('flags another user-agent family or another network, and both as high', () => {
    const created = { ip: '203.0.113.10', userAgent: FIREFOX_LINUX };
    expect(detectSessionClientChange(created, { ip: '203.0.200.1', userAgent: FIREFOX_LINUX_NEWER })).toEqual({
      changed: false,
      severity: 'none',
      reasons: [],
    });
    expect(detectSessionClientChange(created, { ip: '203.0.113.10', userAgent: CHROME_WINDOWS })).toMatchObject({
      changed: true,
      severity: 'low',
      reasons: ['user_agent_family'],
    });
    expect(detectSessionClientChange(created, { ip: '198.51.100.1', userAgent: FIREFOX_LINUX })).toMatchObject({
      changed: true,
      reasons: ['ip_network'],
    });
    expect(detectSessionClientChange(created, { ip: '198.51.100.1', userAgent: 'python-requests/2.31' })).toMatchObject(
      { severity: 'high' },
    );
    expect(
      detectSessionClientChange(
        { ip: '2001:db8:1::1', userAgent: null },
        { ip: '2001:db8:1:ff::9', userAgent: CHROME_WINDOWS },
      ).changed,
    ).toBe(false);
    expect(detectSessionClientChange({ ip: null, userAgent: null }, { ip: '192.0.2.1', userAgent: 'x' }).changed).toBe(
      false,
    );
  });
});

for (const { name, needs, backend, redis } of counterBackends()) {
  describeWith(needs, `anomaly rules (${name})`, () => {
    const build = (env: Record<string, string>) => {
      const seen: SecurityEvent[] = [];
      const protection = createProtection({
        config: testConfig(
          { ANOMALY_STUFFING_EMAILS: '10', ANOMALY_DISTRIBUTED_IPS: '6', ...env },
          backend().keyPrefix,
        ),
        redis: redis(),
        onSecurityEvent: (e) => seen.push(e),
      });
      return { protection, seen };
    };

    it('credential stuffing (one IP failing for many emails) raises an event and bans the IP', async () => {
      const { protection, seen } = build({ ANOMALY_STUFFING_ACTION: 'ban' });
      for (let i = 0; i < 12; i++)
        await protection.guard.recordFailure({ email: `person${i}@example.com`, ip: '192.0.2.80' });
      const events = seen.filter((e) => e.type === 'credential_stuffing');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ ip: '192.0.2.80', action: 'ban', details: { distinctEmails: 10 } });
      expect(protection.bans.isBanned('192.0.2.80')).toMatchObject({
        reason: 'credential_stuffing',
        createdBy: 'anomaly:credential_stuffing',
      });
      expect(seen.some((e) => e.type === 'ip_banned')).toBe(true);
      await protection.close();
    });

    it('a distributed attack on one account raises an event and throttles the IP that crossed the line', async () => {
      const { protection, seen } = build({ ANOMALY_DISTRIBUTED_ACTION: 'throttle' });
      for (let i = 0; i < 6; i++)
        await protection.guard.recordFailure({ email: normalizeEmail('Ceo@Example.com'), ip: `198.51.100.${i + 1}` });
      const events = seen.filter((e) => e.type === 'distributed_attack');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ email: 'ceo@example.com', ip: '198.51.100.6', details: { distinctIps: 6 } });
      expect((await protection.reputation.verdict('198.51.100.6')).throttled).toBe(true);
      expect((await protection.reputation.verdict('198.51.100.1')).throttled).toBe(false);
      await protection.close();
    });

    it('a request-rate spike from one IP raises one event with its action', async () => {
      const { protection, seen } = build({ ANOMALY_SPIKE_PER_10S: '50', ANOMALY_SPIKE_ACTION: 'log' });
      for (let i = 0; i < 120; i++) protection.anomalies.onRequest('192.0.2.90');
      for (let i = 0; i < 49; i++) protection.anomalies.onRequest('192.0.2.91');
      await new Promise((r) => setImmediate(r));
      expect(seen.filter((e) => e.type === 'request_spike').map((e) => [e.ip, e.action])).toEqual([
        ['192.0.2.90', 'log'],
      ]);
      await protection.close();
    });

    it('a session used from a very different client raises session_client_change for the validation path', async () => {
      const { protection, seen } = build({});
      const change = await protection.anomalies.onSessionUse(
        { ip: '203.0.113.10', userAgent: FIREFOX_LINUX },
        { ip: '198.51.100.7', userAgent: 'python-requests/2.31' },
        { userId: 'u1', sessionId: 's1' },
      );
      expect(change.severity).toBe('high');
      expect(seen).toMatchObject([
        { type: 'session_client_change', userId: 'u1', sessionId: 's1', ip: '198.51.100.7', action: 'log' },
      ]);
      await protection.close();
    });
  });
}
