import type { AlertChannel, AlertNotification } from './types.js';
import { postJson } from '../../notify/post-json.js';

export interface AlertLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Writes each alert change as one structured log line at its severity's level: firing critical → error, firing
 * warning → warn, firing info → info; resolved → info.
 */
export function logChannel(logger: AlertLogger): AlertChannel {
  return {
    name: 'log',
    async send(n: AlertNotification) {
      const line = { alert: n.alert, status: n.status };
      const msg = `alert ${n.alert.rule} ${n.status}`;
      if (n.status === 'resolved' || n.alert.severity === 'info') logger.info(line, msg);
      else if (n.alert.severity === 'critical') logger.error(line, msg);
      else logger.warn(line, msg);
    },
  };
}

/** POSTs each alert change as JSON to TESSERA_ALERT_WEBHOOK. */
export function webhookChannel(
  url: string,
  options: { timeoutMs?: number; onError?: (err: unknown) => void } = {},
): AlertChannel {
  return {
    name: 'webhook',
    send: (n: AlertNotification) => postJson(url, { ...n, sentAt: new Date().toISOString() }, options),
  };
}
