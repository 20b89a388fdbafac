import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecurityEvents, type SecurityEvent } from '../../src/security/events.js';
import { MemoryAudit } from './fixtures.js';
import { waitUntil } from '../helpers/poll.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';

describe('security events', () => {
  let hooks: WebhookReceiver;
  let url: string;
  let received: WebhookReceiver['received'];

  beforeAll(async () => {
    hooks = await startWebhookReceiver();
    url = hooks.url;
    received = hooks.received;
  });
  afterAll(() => hooks.close());

  it('counts every event, audits and notifies notable ones once per window', async () => {
    const audit = new MemoryAudit();
    const counted: SecurityEvent[] = [];
    const events = new SecurityEvents({ audit, webhookUrl: url });
    events.onEvent((e) => counted.push(e));
    const stuffing: SecurityEvent = {
      type: 'credential_stuffing',
      ip: '192.0.2.1',
      action: 'ban',
      details: { distinctEmails: 10 },
    };
    events.record(stuffing);
    events.record(stuffing);
    events.record({ type: 'rate_limited', ip: '192.0.2.1', action: 'refuse' });
    events.record({
      type: 'account_locked',
      ip: '192.0.2.2',
      email: 'victim@example.com',
      action: 'refuse',
      details: { lockSec: 60 },
    });
    await events.flush();
    await waitUntil(() => received.length >= 2);

    expect(counted.map((e) => e.type)).toEqual([
      'credential_stuffing',
      'credential_stuffing',
      'rate_limited',
      'account_locked',
    ]);
    expect(audit.rows.map((r) => r.type).sort()).toEqual(['account_locked', 'credential_stuffing', 'rate_limited']);
    const locked = audit.rows.find((r) => r.type === 'account_locked')!;
    expect(locked).toMatchObject({
      ip: '192.0.2.2',
      details: { email: 'victim@example.com', action: 'refuse', lockSec: 60 },
    });
    expect(received.map((r) => r.body.event.type).sort()).toEqual(['account_locked', 'credential_stuffing']);
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].body).toMatchObject({ source: 'tessera', kind: 'security_event' });
  });

  it('survives a dead webhook and a failing audit store', async () => {
    const warnings: unknown[] = [];
    const events = new SecurityEvents({
      webhookUrl: 'http://127.0.0.1:1/nothing',
      audit: {
        insert: async () => {
          throw new Error('db down');
        },
      },
      logger: { warn: (o) => warnings.push(o) },
    });
    events.record({ type: 'ip_banned', ip: '192.0.2.9', action: 'ban' });
    await events.flush();
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });
});
