import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { CidrList, parseIp } from '../security/cidr-lists.js';

/** The connection-level limits of the HTTP listener (REQUEST_TIMEOUT, HEADERS_TIMEOUT, KEEP_ALIVE_TIMEOUT, …). */
export interface ConnectionLimits {
  /** The whole request, headers and body, must arrive within this (ms); then 408 and the connection is closed. */
  requestTimeout: number;
  /** The request line and headers must arrive within this (ms), counted from the request's first byte. */
  headersTimeout: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeout: number;
  /** Open connections one client address may hold (0: no cap). */
  maxConnectionsPerIp: number;
  /** Addresses the cap does not apply to (loopback by default, and IP_ALLOWLIST). */
  exempt: readonly string[];
}

/**
 * What `http.createServer` must be given up front: Node checks the request and header timeouts on a timer whose
 * period is fixed at creation (30 s by default, which would let a slow client overstay a short timeout by that
 * much). A quarter of the shortest timeout, within 50 ms–1 s.
 */
export function serverOptionsFor(limits: ConnectionLimits): ServerOptions {
  const shortest = Math.min(limits.requestTimeout, limits.headersTimeout);
  return {
    requestTimeout: limits.requestTimeout,
    headersTimeout: limits.headersTimeout,
    keepAliveTimeout: limits.keepAliveTimeout,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(shortest / 4))),
  };
}

/**
 * Applies the limits on the Node server itself, whoever created it (Fastify sets its own, looser, defaults on the
 * server it creates, and none on one a serverFactory returns), and caps the connections per client address.
 * The cap counts sockets by their peer address (TRUST_PROXY plays no part: a proxy in front holds its own
 * connections, so exempt it or let it enforce its own limits); a connection beyond the cap is destroyed at once.
 */
export function limitConnections(server: Server, limits: ConnectionLimits, logger: Pick<Logger, 'warn'>): void {
  server.requestTimeout = limits.requestTimeout;
  server.headersTimeout = limits.headersTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  if (limits.maxConnectionsPerIp <= 0) return;

  const max = limits.maxConnectionsPerIp;
  const exempt = new CidrList(limits.exempt);
  const open = new Map<string, number>();
  let refusedSinceLastWarning = 0;
  let lastWarnAt = 0;
  server.on('connection', (socket: Socket) => {
    const raw = socket.remoteAddress;
    if (raw === undefined) return; // already gone
    const addr = parseIp(raw);
    if (addr && exempt.contains(addr)) return;
    const ip = addr?.toString() ?? raw;
    const count = (open.get(ip) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      refusedSinceLastWarning++;
      const now = Date.now();
      if (now - lastWarnAt >= 60_000) {
        logger.warn(
          { ip, maxConnectionsPerIp: max, refused: refusedSinceLastWarning },
          'connections refused: too many open from one address',
        );
        lastWarnAt = now;
        refusedSinceLastWarning = 0;
      }
      return;
    }
    open.set(ip, count);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
}
