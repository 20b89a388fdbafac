/**
 * Forked by targets.ts: runs one benchmark target (Tessera, a bare baseline or a peer) in its own process,
 * reports where it listens, and stops cleanly when told (so a --cpu-prof profile gets written).
 */
import { startBareFastify } from './targets/bare-fastify.js';
import { startBareHttp } from './targets/bare-http.js';
import { startTesseraTarget } from './targets/tessera.js';
import type { MintContext, RunningTarget, TargetSpec } from './targets/types.js';

async function start(spec: TargetSpec): Promise<RunningTarget> {
  switch (spec.kind) {
    case 'tessera':
      return startTesseraTarget(spec.env);
    case 'bare-http':
      return startBareHttp(spec.response);
    case 'bare-fastify':
      return startBareFastify(spec.response);
    case 'argon2-verify':
      return (await import('./targets/argon2-verify.js')).startArgon2Verify(spec.password);
    // Loaded on demand: express, express-session and connect-redis are only needed by the peers suite.
    case 'express-session':
      return (await import('./targets/express-session.js')).startExpressSession(spec);
    // An app using @tessera/client (or calling Tessera itself): the client suite.
    case 'client-app':
      return (await import('./targets/client-app.js')).startClientApp(spec);
    case 'lucia-style':
      return (await import('./targets/lucia-style.js')).startLuciaStyle(spec);
  }
}

let running: RunningTarget | undefined;

async function stop(): Promise<never> {
  const timer = setTimeout(() => process.exit(1), 10_000);
  await running?.stop().catch(() => {});
  clearTimeout(timer);
  process.exit(0);
}

function mint(request: { count: number; context: MintContext }): void {
  if (!running?.mint) {
    process.send!({ mintError: 'this target cannot open sessions itself' });
    return;
  }
  running.mint(request.count, request.context).then(
    (minted) => process.send!({ minted }),
    (error: unknown) => process.send!({ mintError: error instanceof Error ? error.message : String(error) }),
  );
}

process.on(
  'message',
  (message: {
    start?: TargetSpec;
    stop?: true;
    cpu?: true;
    rss?: true;
    mint?: { count: number; context: MintContext };
  }) => {
    if (message.rss) {
      process.send!({ rssBytes: process.memoryUsage.rss() });
      return;
    }
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system });
      return;
    }
    if (message.mint) {
      mint(message.mint);
      return;
    }
    if (message.stop) {
      void stop();
      return;
    }
    if (!message.start) return;
    start(message.start).then(
      (target) => {
        running = target;
        process.send!({ ready: { ...target.info, canMint: target.mint !== undefined } });
      },
      (error: unknown) =>
        process.send!({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
    );
  },
);
process.on('disconnect', () => void stop());
