import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { RunningTarget } from './types.js';

export interface ClientAppSpec {
  framework: 'express' | 'fastify';
  /** `client`: validates through @tessera/client; `http`: calls GET /v1/auth/session itself on every request. */
  mode: 'client' | 'http';
  tesseraUrl: string;
  serviceKey: string;
  token: string;
}

const PATH = '/v1/auth/session';

/** An application validating its requests' sessions against Tessera, the way the client suite compares. */
export async function startClientApp(spec: ClientAppSpec): Promise<RunningTarget> {
  const upstream = `${spec.tesseraUrl}${PATH}`;
  const askTessera = async (authorization: string | undefined) => {
    const res = await fetch(upstream, { headers: authorization ? { authorization } : {} });
    return { status: res.status, body: await res.text() };
  };
  const tessera =
    spec.mode === 'client'
      ? (await import('@tessera/client')).createClient({ url: spec.tesseraUrl, serviceKey: spec.serviceKey })
      : undefined;
  if (tessera) {
    const deadline = Date.now() + 15_000;
    while (!tessera.stats().trusted) {
      if (Date.now() > deadline) throw new Error('the client never trusted its revocation stream');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  let url: string;
  let close: () => Promise<void>;
  if (spec.framework === 'express') {
    const express = (await import('express')).default;
    const app = express();
    app.disable('x-powered-by');
    if (tessera) app.get(PATH, tessera.express({ required: true }), (req, res) => void res.json(req.tessera));
    else
      app.get(PATH, (req, res, next) => {
        askTessera(req.headers.authorization).then(({ status, body }) => {
          res.status(status).type('application/json').send(body);
        }, next);
      });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    server.keepAliveTimeout = 60_000;
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
    close = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
  } else {
    const Fastify = (await import('fastify')).default;
    const app = Fastify({ keepAliveTimeout: 60_000 });
    if (tessera) {
      await app.register(tessera.fastify, { required: true });
      app.get(PATH, (request) => (request as unknown as { tessera: unknown }).tessera);
    } else
      app.get(PATH, async (request, reply) => {
        const { status, body } = await askTessera(request.headers.authorization);
        return reply.code(status).type('application/json').send(body);
      });
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}${PATH}`;
    close = () => app.close();
  }
  return {
    info: { url, headers: { authorization: `Bearer ${spec.token}` } },
    stop: async () => {
      await close();
      // On the bench's stderr: shows whether the load was served from the app's memory (hits) or not.
      if (tessera) console.error(`  ${spec.framework} + @tessera/client: ${JSON.stringify(tessera.stats())}`);
      await tessera?.close();
    },
  };
}
