// The admin API as the dashboard uses it: a bearer token kept for this tab, JSON in and out.
const TOKEN_KEY = 'tessera.admin.token';

export const auth = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
    this.details = body?.error?.details;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  const json = text ? safeJson(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function login(email, password) {
  const result = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
  auth.token = result.token;
  return result;
}

/**
 * Reads the SSE summary stream with fetch (so the bearer token goes in a header), calling onSummary for each
 * event; reconnects after a drop until stop() is called. onState reports 'live' | 'reconnecting'.
 */
export function streamSummaries(onSummary, onState) {
  let stopped = false;
  let controller;
  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch('/v1/admin/metrics/stream', {
          headers: { authorization: `Bearer ${auth.token}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (res.status === 401 || res.status === 403) {
          onState('unauthorized');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1] ?? 'message';
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (event === 'summary' && data) onSummary(JSON.parse(data));
          }
        }
      } catch (err) {
        if (stopped) return;
      }
      if (stopped) return;
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  connect();
  return {
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
