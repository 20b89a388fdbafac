import type { Config } from './load.js';

/** One setting that leaves something open (or unusable) in production, and what to do about it. */
export interface OpenSetting {
  setting: string;
  message: string;
}

/**
 * What is still open with NODE_ENV=production: each entry names the variable and the fix. The server logs them as
 * warnings at start; outside production the list is empty (development defaults are meant to be open).
 */
export function stillOpenInProduction(config: Config): OpenSetting[] {
  if (config.nodeEnv !== 'production') return [];
  const open: OpenSetting[] = [];
  const add = (setting: string, message: string): void => void open.push({ setting, message });
  if (config.metricsEnabled && !config.metricsToken)
    add(
      'METRICS_TOKEN',
      '/metrics answers 401 to everyone until METRICS_TOKEN is set (scrapers send it as a Bearer token)',
    );
  if (config.docsEnabled)
    add('DOCS_ENABLED', '/docs publishes the OpenAPI description of every route; DOCS_ENABLED=false turns it off');
  if (!config.cookieSecure)
    add(
      'COOKIE_SECURE',
      'the session cookie is marked Secure only on requests seen to arrive over HTTPS; set COOKIE_SECURE=true when served over TLS',
    );
  if (config.trustProxy === false)
    add(
      'TRUST_PROXY',
      'X-Forwarded-For is ignored: behind a reverse proxy every client shares its address (one rate limit, one connection cap) and HTTPS is not seen; set TRUST_PROXY to the proxy addresses',
    );
  else if (config.trustProxy === true)
    add(
      'TRUST_PROXY',
      'X-Forwarded-For is believed from any peer: a client reaching Tessera directly chooses its own address; list the proxy addresses instead',
    );
  if (config.debugHeaders)
    add('DEBUG_HEADERS', 'Server-Timing and X-DB-Queries tell every client how each request was served');
  if (!config.protectionEnabled)
    add('PROTECTION_ENABLED', 'rate limits, the brute-force guard, reputation, bans and anomaly rules are off');
  if (config.maxConnectionsPerIp === 0)
    add('MAX_CONNECTIONS_PER_IP', 'one client address may open any number of connections');
  if (config.faultFillDelay > 0) add('TESSERA_FAULT_FILL_DELAY', 'a test-only delay slows every cache fill');
  return open;
}
