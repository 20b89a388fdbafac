import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { createClient, type Tessera } from '@tessera/client';
import type {} from '@tessera/client/fastify';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { waitUntil } from '../helpers/poll.js';

let server: TestTessera;
let api: ReturnType<typeof apiClient>;
let tessera: Tessera;
let serviceKey: string;
let expressServer: Server;
let expressUrl: string;
let fastify: FastifyInstance;
let fastifyUrl: string;

beforeAll(async () => {
  server = await startTestTessera({ SESSION_IDLE_TTL: '3s' });
  api = apiClient(server.url);
  serviceKey = (await server.runtime.serviceKeys!.create('embedded-test', { by: 'test' })).key;
  tessera = createClient({ url: server.url, serviceKey, timeout: 1000 });

  const app = express();
  app.get('/private', tessera.express({ required: true }), (req, res) => {
    res.json({ userId: (req as unknown as { tessera: { user: { id: string } } }).tessera.user.id });
  });
  app.get('/open', tessera.express({ required: false }), (req, res) => {
    res.json({ signedIn: Boolean((req as unknown as { tessera?: unknown }).tessera) });
  });
  expressServer = app.listen(0, '127.0.0.1');
  await new Promise((r) => expressServer.once('listening', r));
  expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;

  fastify = Fastify();
  await fastify.register(tessera.fastify, { required: true });
  // `request.tessera` typed by `@tessera/client/fastify` (declaration merging), no cast.
  fastify.get('/private', (request) => ({ userId: request.tessera?.user.id }));
  fastifyUrl = await fastify.listen({ port: 0, host: '127.0.0.1' });
  await waitUntil(() => tessera.stats().trusted, 5000, 'stream trusted');
});

afterAll(async () => {
  await tessera?.close();
  await fastify?.close();
  expressServer?.close();
  await server?.stop();
});

const get = (url: string, token?: string) => fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('@tessera/client on an embedded Tessera', () => {
  it('a miss asks the server once for concurrent callers; a hit is a plain value from memory', async () => {
    const { token, userId } = await newSession(api);
    const first = tessera.validate(token);
    const second = tessera.validate(token);
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBe(first);
    expect((await first)?.user.id).toBe(userId);
    const before = tessera.stats().hits;
    const hit = tessera.validate(token);
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as { user: { id: string } }).user.id).toBe(userId);
    expect(tessera.stats().hits).toBe(before + 1);
  });

  it('unknown tokens are null, and remembered briefly (the second answer needs no I/O)', async () => {
    const token = 'tss_' + 'x'.repeat(49);
    expect(await tessera.validate(token)).toBeNull();
    expect(tessera.validate(token)).toBeNull();
    expect(await tessera.validate('')).toBeNull();
  });

  it('a logout reaches the app within 1 s and the revocation is counted', async () => {
    const { token } = await newSession(api);
    await tessera.validate(token);
    expect(tessera.validate(token)).not.toBeInstanceOf(Promise);
    const revoked = tessera.stats().revocations;
    expect((await api('POST', '/v1/auth/logout', undefined, { token })).status).toBe(204);
    const took = await waitUntil(() => tessera.stats().revocations > revoked, 1000, 'revocation');
    expect(took).toBeLessThan(1000);
    // The raw token → cache key map lost the token with its entry; a fresh copy of the string is no hit either.
    expect(tessera.stats().tokenKeys).toBe(tessera.stats().size);
    expect(await tessera.validate(Buffer.from(token).toString())).toBeNull();
    expect(await tessera.validate(token)).toBeNull();
  });

  it('the token → cache key map holds only tokens with a cache entry (eviction, close)', async () => {
    const small = createClient({ url: server.url, serviceKey, timeout: 1000, cache: { maxEntries: 2 } });
    try {
      await waitUntil(() => small.stats().trusted, 5000, 'stream trusted');
      const tokens = [(await newSession(api)).token, (await newSession(api)).token, (await newSession(api)).token];
      for (const token of tokens) expect(await small.validate(token)).not.toBeNull();
      expect(small.stats()).toMatchObject({ size: 2, tokenKeys: 2 });
      expect(small.validate(tokens[0])).toBeInstanceOf(Promise); // evicted: asked again, not served from memory
      await small.validate(tokens[0]);
      expect(small.validate(tokens[0])).not.toBeInstanceOf(Promise);
      expect(small.stats()).toMatchObject({ size: 2, tokenKeys: 2 });
    } finally {
      await small.close();
    }
    expect(small.stats()).toMatchObject({ size: 0, tokenKeys: 0 });
  });

  it('Express middleware: 401 in the one error shape, 200 with req.tessera, optional mode', async () => {
    const { token, userId } = await newSession(api);
    const missing = await get(`${expressUrl}/private`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    expect((await get(`${expressUrl}/private`, 'tss_bogus')).status).toBe(401);
    const ok = await get(`${expressUrl}/private`, token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ userId });
    const cookie = await fetch(`${expressUrl}/private`, { headers: { cookie: `a=b; tessera_session=${token}` } });
    expect(cookie.status).toBe(200);
    expect(await (await get(`${expressUrl}/open`)).json()).toEqual({ signedIn: false });
    expect(await (await get(`${expressUrl}/open`, token)).json()).toEqual({ signedIn: true });
  });

  it('Fastify plugin and fromRequest(Request)', async () => {
    const { token, userId } = await newSession(api);
    expect((await get(`${fastifyUrl}/private`)).status).toBe(401);
    const ok = await get(`${fastifyUrl}/private`, token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ userId });
    const request = new Request('http://app.test/x', { headers: { authorization: `Bearer ${token}` } });
    expect((await tessera.fromRequest(request))?.user.id).toBe(userId);
    expect(await tessera.fromRequest(new Request('http://app.test/x'))).toBeNull();
  });

  it('a session used only from the app cache does not idle-expire on the server (use is reported)', async () => {
    const { token } = await newSession(api);
    await tessera.validate(token);
    const touches = tessera.stats().touches;
    // Idle timeout is 3 s: use it from the cache for 4.5 s.
    const until = Date.now() + 4500;
    while (Date.now() < until) {
      expect(await tessera.validate(token)).not.toBeNull();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(tessera.stats().touches).toBeGreaterThan(touches);
    expect((await api('GET', '/v1/auth/session', undefined, { token })).status).toBe(200);
  });
});
