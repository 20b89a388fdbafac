import { createTransport } from 'nodemailer';
import type { AlertChannel, AlertNotification } from './types.js';

export interface EmailChannelOptions {
  /** smtp://user:pass@host:port (STARTTLS when the server offers it) or smtps://host:465. */
  smtpUrl: string;
  from: string;
  to: readonly string[];
  timeoutMs?: number;
  /** Extra TLS settings (e.g. a private CA). */
  tls?: { rejectUnauthorized?: boolean; ca?: string | Buffer };
}

/** Sends each alert change as a plain-text e-mail through SMTP (nodemailer), beside the log and webhook channels. */
export function emailChannel(options: EmailChannelOptions): AlertChannel & { close(): void } {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const transport = createTransport({
    url: options.smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(options.tls ? { tls: options.tls } : {}),
  } as Parameters<typeof createTransport>[0]);
  return {
    name: 'email',
    async send(n: AlertNotification) {
      await transport.sendMail({
        from: options.from,
        to: options.to.join(', '),
        subject: alertSubject(n),
        text: alertText(n),
      });
    },
    close: () => transport.close(),
  };
}

export function alertSubject(n: AlertNotification): string {
  const state = n.status === 'firing' ? `FIRING ${n.alert.severity}` : 'RESOLVED';
  return `[Tessera] ${state}: ${n.alert.rule}`;
}

function alertText(n: AlertNotification): string {
  const a = n.alert;
  const at = (ms: number | undefined): string => (ms === undefined ? '–' : new Date(ms).toISOString());
  return [
    `${a.rule} is ${n.status}${a.description ? `: ${a.description}` : ''}.`,
    '',
    `severity:  ${a.severity}`,
    `condition: ${a.expr} ${a.op} ${a.threshold}`,
    `value:     ${a.value ?? '–'}`,
    `started:   ${at(a.startedAt)}`,
    `fired:     ${at(a.firedAt)}`,
    ...(n.status === 'resolved' ? [`resolved:  ${at(a.resolvedAt)} (${a.resolvedBy ?? 'condition'})`] : []),
    `alert id:  ${a.id}`,
    '',
    'Acknowledge or resolve it on the dashboard (/admin) or with POST /v1/admin/alerts/:id/ack.',
  ].join('\n');
}
