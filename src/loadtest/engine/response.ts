/** What a scenario sees of a response. */
export interface LoadResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds this request took (from the intended start for an open-model iteration's first request). */
  durationMs: number;
  /** Network error code when there was no response (status 0). */
  error?: string;
  json<T = unknown>(): T | undefined;
}

export function makeResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  durationMs: number,
  error?: string,
): LoadResponse {
  let parsed: unknown;
  let done = false;
  return {
    status,
    headers,
    body,
    durationMs,
    error,
    json<T>() {
      if (!done) {
        done = true;
        try {
          parsed = body ? JSON.parse(body) : undefined;
        } catch {
          parsed = undefined;
        }
      }
      return parsed as T | undefined;
    },
  };
}

const CACHE_TIER = /(?:^|,)\s*cache\s*;[^,]*?desc\s*=\s*"?(L1|L2|DB)"?/i;

/** The cache tier from `Server-Timing: cache;desc="L1|L2|DB"`, when the target says. */
export function cacheTier(serverTiming: string | string[] | undefined): string | undefined {
  if (serverTiming === undefined) return undefined;
  const text = Array.isArray(serverTiming) ? serverTiming.join(',') : serverTiming;
  const match = CACHE_TIER.exec(text);
  return match ? match[1].toUpperCase() : undefined;
}
