import { randomBytes } from 'node:crypto';
import type { CapturedResponse, TargetInfo } from './types.js';

const BENCH_PASSWORD = 'bench-password-0123456789';

/**
 * Signs in to a target that needs a session (TargetInfo.login), from the bench driver's process, and makes one
 * validation so the load starts on a warm cache; Tessera's response is captured for the baselines to replay.
 * This runs here, not in the target's process: a server process that has itself made a few fetch() calls
 * serves measurably slower afterwards (7–12 µs per request on a bare Fastify route here: V8's feedback in
 * Node's shared stream internals turns polymorphic), which would charge the harness's setup to the server.
 */
export async function logIn(info: TargetInfo): Promise<TargetInfo> {
  if (info.login === 'tessera') return logInTessera(info);
  if (info.login === 'express-session') return logInExpressSession(info);
  return info;
}

async function logInTessera(info: TargetInfo): Promise<TargetInfo> {
  const base = new URL(info.url).origin;
  const email = `bench-${randomBytes(6).toString('hex')}@example.test`;
  await post(base, '/v1/auth/signup', { email, password: BENCH_PASSWORD }, 201);
  const { token } = (await post(base, '/v1/auth/login', { email, password: BENCH_PASSWORD }, 200)) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const res = await fetch(info.url, { headers });
  const captured: CapturedResponse = {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: await res.text(),
  };
  if (res.status !== 200) throw new Error(`GET /v1/auth/session answered ${res.status}: ${captured.body}`);
  return { url: info.url, headers, captured };
}

async function logInExpressSession(info: TargetInfo): Promise<TargetInfo> {
  const base = new URL(info.url).origin;
  const login = await fetch(`${base}/login`, { method: 'POST' });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  if (login.status !== 204 || !cookie)
    throw new Error(`express-session login answered ${login.status} without a cookie`);
  const check = await fetch(info.url, { headers: { cookie } });
  await check.text();
  if (check.status !== 200) throw new Error(`express-session validation answered ${check.status}`);
  return { url: info.url, headers: { cookie } };
}

async function post(base: string, route: string, body: unknown, expected: number): Promise<unknown> {
  const res = await fetch(base + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`POST ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}
