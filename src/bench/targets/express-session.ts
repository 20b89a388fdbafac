import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { Redis } from 'ioredis';
import type { RunningTarget } from './types.js';

declare module 'express-session' {
  interface SessionData {
    payload: unknown;
  }
}

/**
 * The usual peer: express 5 + express-session (resave off, saveUninitialized off, its default touch on
 * every request) with connect-redis over ioredis — or express-session's MemoryStore when no Redis is given.
 * The session holds `payload` (Tessera's validation body), and validation returns it, so the bytes match.
 */
export async function startExpressSession(options: {
  redisUrl?: string;
  keyPrefix: string;
  payload: unknown;
}): Promise<RunningTarget> {
  const redis = options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  const store: session.Store = redis
    ? new RedisStore({ client: redis, prefix: options.keyPrefix })
    : new session.MemoryStore();
  const secret = randomBytes(16).toString('hex');
  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      secret,
      resave: false,
      saveUninitialized: false,
      store,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  );
  app.post('/login', (req, res) => {
    req.session.payload = options.payload;
    res.status(204).end();
  });
  app.get('/v1/auth/session', (req, res) => {
    if (req.session.payload === undefined) res.status(401).json({ error: { code: 'unauthenticated' } });
    else res.json(req.session.payload);
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 60_000;
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    info: { url: `${base}/v1/auth/session`, headers: {}, login: 'express-session' },
    mint: async (count) => {
      const out: Array<Record<string, string>> = [];
      for (let i = 0; i < count; i += 1) {
        const sid = randomBytes(24).toString('base64url');
        const data = {
          cookie: { originalMaxAge: null, httpOnly: true, path: '/', sameSite: 'lax' },
          payload: options.payload,
        };
        await new Promise<void>((resolve, reject) =>
          store.set(sid, data as unknown as session.SessionData, (error: unknown) =>
            error ? reject(error instanceof Error ? error : new Error('session store refused the session')) : resolve(),
          ),
        );
        out.push({ cookie: `connect.sid=${encodeURIComponent(signedCookie(sid, secret))}` });
      }
      return out;
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      // The suite deletes its keys by prefix (SCAN) once every target is down.
      await redis?.quit();
    },
  };
}

/** express-session's cookie value: `s:` + the id + `.` + its HMAC-SHA256 (cookie-signature's format, unpadded base64). */
function signedCookie(sid: string, secret: string): string {
  return `s:${sid}.${createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '')}`;
}
