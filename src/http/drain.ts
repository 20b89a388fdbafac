import net from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long accepted connections get to deliver a request already on the wire before idle ones are closed. */
const ACCEPTED_REQUEST_GRACE_MS = 150;

export interface DrainState {
  /** True once close() began: responses carry `Connection: close`. */
  readonly draining: boolean;
}

/**
 * Graceful close in two steps. Node's `server.close()` stops listening and, in the same call, destroys every
 * connection without a parsed request — including one whose request bytes arrived but were not read yet,
 * so a client that sent its request just before SIGTERM would see a reset. Here the listener closes first
 * (new connections are refused from that moment), accepted connections get a short grace to deliver what
 * they sent, and only then does Fastify's close reap the idle ones and wait for the in-flight ones.
 */
export function registerDrain(app: FastifyInstance): DrainState {
  const state = { draining: false };
  app.addHook('preClose', async () => {
    state.draining = true;
    const server = app.server;
    if (!server.listening) return;
    net.Server.prototype.close.call(server);
    const open = await new Promise<number>((resolve) =>
      server.getConnections((error, count) => resolve(error ? 0 : count)),
    );
    if (open > 0) await new Promise((resolve) => setTimeout(resolve, ACCEPTED_REQUEST_GRACE_MS));
  });
  return state;
}
