import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../../src/config/index.js';
import { MemoryAlertStore } from '../../src/observability/alerts/store.js';
import { MemoryHistoryStore } from '../../src/observability/history-store-memory.js';
import { Observability, observabilitySettings } from '../../src/observability/index.js';
import { eventually, silentLogger, testSettings } from './harness.js';

interface Mail {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** A real SMTP server (the smtp-server package) on a free loopback port, keeping every message it accepts. */
async function startSmtpServer(): Promise<{ url: string; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((r) => server.close(() => r())) };
}

describe('alert e-mails through a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp.close());

  it('a firing and a resolved alert each arrive as one e-mail to every recipient', async () => {
    let now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const config = loadConfig({
      TESSERA_ALERT_EMAIL_TO: 'oncall@example.test, lead@example.test',
      TESSERA_ALERT_EMAIL_FROM: 'tessera@example.test',
      TESSERA_ALERT_SMTP_URL: smtp.url,
    });
    const settings = observabilitySettings(config);
    expect(settings.alertEmail).toEqual({
      to: ['oncall@example.test', 'lead@example.test'],
      from: 'tessera@example.test',
      smtpUrl: smtp.url,
    });
    const obs = await Observability.create({
      settings: testSettings({ alertEmail: settings.alertEmail }),
      logger: silentLogger,
      sampleProcess: false,
      now: () => now,
      historyStore: MemoryHistoryStore.memory(86_400_000),
      alertStore: new MemoryAlertStore(),
    });
    try {
      await obs.alerts.setRules([
        { name: 'ServerErrors', expr: 'error_rate', op: '>', threshold: 0.1, for: '0', severity: 'critical' },
      ]);
      for (let i = 0; i < 10; i++) obs.metrics.httpRequest('/v1/auth/session', 'GET', 500, 0.003);
      await obs.evaluator!.tick();
      const firing = await eventually(() => smtp.mails[0], 5_000);
      expect(firing.from).toBe('tessera@example.test');
      expect(firing.to).toEqual(['oncall@example.test', 'lead@example.test']);
      expect(firing.raw).toMatch(/^Subject: \[Tessera\] FIRING critical: ServerErrors/m);
      expect(firing.raw).toContain('condition: error_rate > 0.1');
      expect(firing.raw).toContain('value:     1');

      now += 20_000; // the 5xx responses leave the live window: the condition clears
      await obs.evaluator!.tick();
      const resolved = await eventually(() => smtp.mails[1], 5_000);
      expect(resolved.raw).toMatch(/^Subject: \[Tessera\] RESOLVED: ServerErrors/m);
      expect(resolved.raw).toContain('resolved:');
      await new Promise((r) => setTimeout(r, 200));
      expect(smtp.mails).toHaveLength(2);
    } finally {
      await obs.stop();
    }
  });

  it('configuration: recipients need an SMTP server, and each must be an address', () => {
    const problems = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems({ TESSERA_ALERT_EMAIL_TO: 'oncall@example.test' })).toEqual([
      'TESSERA_ALERT_SMTP_URL must be set when TESSERA_ALERT_EMAIL_TO is set',
    ]);
    expect(problems({ TESSERA_ALERT_EMAIL_TO: 'oncall', TESSERA_ALERT_SMTP_URL: smtp.url })[0]).toMatch(
      /^TESSERA_ALERT_EMAIL_TO "oncall" is not an e-mail address/,
    );
    expect(problems({ TESSERA_ALERT_SMTP_URL: 'http://mail.example.test' })[0]).toMatch(/^TESSERA_ALERT_SMTP_URL /);
  });
});
