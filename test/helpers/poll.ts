/**
 * Polls `check` every 25 ms and returns how long it took to hold; throws if it did not hold within `timeoutMs`
 * (a condition first seen true after the limit is a failure too, so "within 1 s" assertions stay strict).
 * Tests wait on conditions with this, never with fixed sleeps that a loaded machine can outlast.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<number> {
  const start = Date.now();
  for (;;) {
    const held = await check();
    const elapsed = Date.now() - start;
    if (elapsed > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    if (held) return elapsed;
    await new Promise((r) => setTimeout(r, 25));
  }
}
