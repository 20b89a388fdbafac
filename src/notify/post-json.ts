/** POSTs JSON to a URL; retries once; gives up after `timeoutMs` per try and reports the failure. */
export async function postJson(
  url: string,
  payload: unknown,
  options: { timeoutMs?: number; onError?: (err: unknown) => void } = {},
): Promise<void> {
  const body = JSON.stringify(payload);
  let lastError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'tessera' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      lastError = new Error(`webhook answered ${res.status}`);
    } catch (err) {
      lastError = err;
    }
  }
  options.onError?.(lastError);
}
