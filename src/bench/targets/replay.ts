import type { CapturedResponse } from '../types.js';

/** Headers Node writes itself on every response; a replay must not send them twice. */
const NODE_OWNED = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** The captured headers as a flat [name, value, …] list, ready for writeHead, and the body bytes. */
export function replayParts(response: CapturedResponse): { headers: string[]; body: Buffer } {
  const body = Buffer.from(response.body);
  const headers: string[] = [];
  for (const [name, value] of Object.entries(response.headers)) {
    if (NODE_OWNED.has(name)) continue;
    headers.push(name, name === 'content-length' ? String(body.length) : value);
  }
  return { headers, body };
}
