import { randomBytes } from 'node:crypto';
import type { MintContext } from './targets/types.js';
import type { CapturedResponse, TargetInfo } from './types.js';

const BENCH_PASSWORD = 'bench-password-0123456789';

/**
 * Signs in to a target that needs a session (TargetInfo.login), from the bench driver's process, and makes one
 * validation so the load starts on a warm cache; Tessera's response is captured for the baselines to replay.
 * This runs here, not in the target's process: a server process that has itself made a few fetch() calls
 * serves measurably slower afterwards (7–12 µs per request on a bare Fastify route here: V8's feedback in
 * Node's shared stream internals turns polymorphic), which would charge the harness's setup to the server.
 */
export async function logIn(info: TargetInfo, options: SessionOptions): Promise<TargetInfo> {
  if (info.login === 'tessera') {
    const signedIn = await logInTessera(info);
    return withMoreSessions(signedIn, options, { email: signedIn.email });
  }
  if (info.login === 'express-session') return withMoreSessions(await logInExpressSession(info), options, {});
  if (info.canMint) return withMoreSessions({ ...info, sessions: [] }, options, {});
  return info;
}

export interface SessionOptions {
  /** Distinct sessions wanted, the signed-in one included. */
  sessions: number;
  mint(count: number, context: MintContext): Promise<Array<Record<string, string>>>;
  log?: (line: string) => void;
}

/**
 * The signed-in session plus `sessions - 1` more opened by the target itself; a target (or an older build) that
 * cannot open them keeps its one session, and says so.
 */
async function withMoreSessions(
  info: TargetInfo & { email?: string },
  options: SessionOptions,
  context: MintContext,
): Promise<TargetInfo> {
  const { email: _email, ...rest } = info;
  const own = rest.sessions ?? [rest.headers];
  const more = options.sessions - own.length;
  if (more <= 0) return { ...rest, sessions: own.slice(0, options.sessions) };
  if (!info.canMint) {
    options.log?.(`  !!! ${info.url}: this target cannot open more sessions: its load uses ${own.length}`);
    return { ...rest, sessions: own };
  }
  const minted = await options.mint(more, context);
  return { ...rest, sessions: [...own, ...minted] };
}

async function logInTessera(info: TargetInfo): Promise<TargetInfo & { email: string }> {
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
  return { ...info, url: info.url, headers, captured, email };
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
  return { ...info, url: info.url, headers: { cookie } };
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
