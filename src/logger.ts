import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/index.js';

/** Paths that may carry secrets: tokens, cookies and passwords never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  'password',
  'token',
  'body.password',
  'body.token',
];

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    { level: config.logLevel, base: { pid: process.pid }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination,
  );
}
