import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTessera, type RunningTessera, type RuntimeOptions } from '../../src/index.js';

export interface TestTessera extends RunningTessera {
  dataDir: string;
  stop(): Promise<void>;
}

/** A real Tessera on 127.0.0.1:<free port>, embedded in a temp dir unless `env` points it at services. */
export async function startTestTessera(
  env: Record<string, string> = {},
  options: RuntimeOptions = {},
): Promise<TestTessera> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-test-'));
  // Functional tests sign up and log in far more often from 127.0.0.1 than a person would: lift the per-IP rate
  // limits (the brute-force guard stays on). Protection itself is tested in test/security with its real defaults.
  // Bursts of logins on a loaded test machine must not be shed either (test/http/login-shedding.test.ts sets its own).
  const generous = {
    PASSWORD_HASH_QUEUE_WAIT: '5m',
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_LOGIN_PER_MIN: '1000000',
    RATE_LIMIT_SIGNUP_PER_MIN: '1000000',
    RATE_LIMIT_USER_PER_MIN: '1000000',
  };
  const server = await startTessera({
    ...options,
    env: { LOG_LEVEL: 'silent', TESSERA_DATA_DIR: dataDir, ...generous, ...env },
    port: 0,
    host: '127.0.0.1',
  });
  return {
    ...server,
    dataDir,
    stop: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny JSON client for tests: `api(url)('POST', '/v1/auth/login', {…}, {token})`. */
export function apiClient(baseUrl: string) {
  return async function api<T = any>(
    method: string,
    route: string,
    body?: unknown,
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(baseUrl + route, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
}

let counter = 0;
export const uniqueEmail = (label = 'user'): string =>
  `${label}-${process.pid}-${Date.now()}-${counter++}@example.test`;
export const PASSWORD = 'correct horse battery staple';

/** Signs up and logs in a fresh user; returns its token and ids. */
export async function newSession(
  api: ReturnType<typeof apiClient>,
  overrides: { email?: string; tenant?: string; headers?: Record<string, string> } = {},
) {
  const email = overrides.email ?? uniqueEmail();
  const signup = await api('POST', '/v1/auth/signup', {
    email,
    password: PASSWORD,
    ...(overrides.tenant ? { tenant: overrides.tenant } : {}),
  });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const login = await api(
    'POST',
    '/v1/auth/login',
    { email, password: PASSWORD, ...(overrides.tenant ? { tenant: overrides.tenant } : {}) },
    { headers: overrides.headers },
  );
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    email,
    token: login.body.token as string,
    sessionId: login.body.session.id as string,
    userId: login.body.user.id as string,
    login,
  };
}
