import type { TargetHandle } from './targets.js';

export interface StreamCostFigures {
  streams: number;
  /** Server CPU (ms per second of wall time) without streams and with them. */
  idleCpuMsPerSec: number;
  withStreamsCpuMsPerSec: number;
  /** Heartbeat and event frames the server wrote per second, over all streams. */
  framesPerSec: number;
}

async function cpuPerSecond(target: TargetHandle, seconds: number): Promise<number> {
  const before = await target.cpuMicros();
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = (await target.cpuMicros()) - before;
  return Math.round((cpu / 1000 / ((performance.now() - start) / 1000)) * 10) / 10;
}

/** The server's CPU with `count` revocation streams connected (heartbeats only), against the same server idle. */
export async function measureStreamCost(
  target: TargetHandle,
  serviceKey: string,
  count: number,
  seconds: number,
): Promise<StreamCostFigures> {
  const base = new URL(target.info.url).origin;
  const idle = await cpuPerSecond(target, seconds);
  const abort = new AbortController();
  let frames = 0;
  const streams = await Promise.all(
    Array.from({ length: count }, async () => {
      const res = await fetch(`${base}/v1/sessions/revocations`, {
        headers: { authorization: `Bearer ${serviceKey}` },
        signal: abort.signal,
      });
      if (res.status !== 200 || !res.body) throw new Error(`revocation stream answered ${res.status}`);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      // Wrapped: an async function returning a promise would wait for the stream to end.
      const reading = (async () => {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            frames += decoder.decode(value).split('\n\n').length - 1;
          }
        } catch {
          /* aborted */
        }
      })();
      return { reading };
    }),
  );
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const framesBefore = frames;
    const start = performance.now();
    const withStreams = await cpuPerSecond(target, seconds);
    const framesPerSec = Math.round((frames - framesBefore) / ((performance.now() - start) / 1000));
    return { streams: count, idleCpuMsPerSec: idle, withStreamsCpuMsPerSec: withStreams, framesPerSec };
  } finally {
    abort.abort();
    await Promise.all(streams.map((s) => s.reading));
  }
}
