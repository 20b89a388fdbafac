// The admin API as the dashboard uses it: JSON in and out, authenticated by the HttpOnly session cookie the login
// sets. The page never keeps the token: no script (and so no injected one) can read it.

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

/** Logs in; the server answers with the session cookie. The token in the body is dropped, not stored. */
export async function login(email, password) {
  const { user } = await api('/v1/auth/login', { method: 'POST', body: { email, password } });
  return { user };
}

/** Ends the session on the server, which also clears the cookie. */
export function logout() {
  return api('/v1/auth/logout', { method: 'POST' });
}

/** Who the session cookie signs in, if anyone: `{signedIn, admin, email?}` (always 200). */
export function whoami() {
  return api('/admin/whoami');
}

/**
 * Reads the SSE summary stream with fetch (the session cookie goes with it), calling onSummary for each event;
 * reconnects after a drop until stop() is called. onState reports 'live' | 'reconnecting' | 'unauthorized'.
 */
export function streamSummaries(onSummary, onState) {
  let stopped = false;
  let controller;
  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const res = await fetch('/v1/admin/metrics/stream', {
          headers: { accept: 'text/event-stream' },
          credentials: 'same-origin',
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
