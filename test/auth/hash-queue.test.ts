import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashQueue } from '../../src/auth/hash-queue.js';
import { OverloadedError } from '../../src/errors/index.js';

/** A task that ends when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, task: () => opened.then(() => 'done') };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the bounded hash queue', () => {
  it('runs `concurrency` at once, queues up to maxQueued and sheds the next at once with a Retry-After', async () => {
    const queue = new HashQueue({ concurrency: 2, maxQueued: 3, maxWaitMs: Number.POSITIVE_INFINITY });
    const gates = Array.from({ length: 5 }, gate);
    const admitted = gates.map((g) => queue.run(g.task));
    expect(queue.queued).toBe(3);
    const shed = await queue.run(gate().task).catch((e: unknown) => e);
    expect(shed).toBeInstanceOf(OverloadedError);
    expect((shed as OverloadedError).status).toBe(503);
    expect((shed as OverloadedError).code).toBe('unavailable');
    expect((shed as OverloadedError).extra.retryAfterSec).toBeGreaterThanOrEqual(1);
    expect(queue.shed).toBe(1);
    for (const g of gates) g.open();
    expect(await Promise.all(admitted)).toEqual(Array(5).fill('done'));
    expect(queue.queued).toBe(0);
  });

  it('admitOrThrow refuses what run would refuse, without queueing anything', async () => {
    const queue = new HashQueue({ concurrency: 1, maxQueued: 1, maxWaitMs: Number.POSITIVE_INFINITY });
    queue.admitOrThrow(); // a free slot
    const first = gate();
    const second = gate();
    const runs = [queue.run(first.task)];
    queue.admitOrThrow(); // room in the queue
    runs.push(queue.run(second.task));
    expect(() => queue.admitOrThrow()).toThrow(OverloadedError);
    expect(queue.queued).toBe(1);
    expect(queue.shed).toBe(1);
    first.open();
    second.open();
    await Promise.all(runs);
    queue.admitOrThrow();
  });

  it('sheds a hash whose expected wait exceeds maxWaitMs, from the running average of a hash', async () => {
    let now = 0;
    const queue = new HashQueue({ concurrency: 1, maxQueued: 100, maxWaitMs: 250 }, () => now);
    // One hash of 100 ms teaches the queue what a hash costs.
    const first = gate();
    const running = queue.run(first.task);
    now = 100;
    first.open();
    await running;
    const gates = Array.from({ length: 3 }, gate);
    const admitted = gates.map((g) => queue.run(g.task)); // one runs, two wait: 100 and 200 ms expected
    expect(queue.queued).toBe(2);
    expect(queue.expectedWaitMs(3)).toBe(300);
    const shed = (await queue.run(gate().task).catch((e: unknown) => e)) as OverloadedError;
    expect(shed).toBeInstanceOf(OverloadedError);
    expect(shed.extra.retryAfterSec).toBe(1);
    for (const g of gates) g.open();
    await Promise.all(admitted);
  });

  it('hands a freed slot to the longest waiter, so no newcomer jumps the queue or exceeds the concurrency', async () => {
    const queue = new HashQueue({ concurrency: 1, maxQueued: 10, maxWaitMs: Number.POSITIVE_INFINITY });
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const tracked = (name: string, g: ReturnType<typeof gate>) => () => {
      running += 1;
      most = Math.max(most, running);
      order.push(name);
      return g.task().finally(() => (running -= 1));
    };
    const a = gate();
    const b = gate();
    const c = gate();
    const runs = [queue.run(tracked('a', a)), queue.run(tracked('b', b))];
    a.open();
    // c arrives while a's slot is being handed to b.
    runs.push(queue.run(tracked('c', c)));
    await settle();
    b.open();
    c.open();
    await Promise.all(runs);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(most).toBe(1);
  });

  it('never runs more than `concurrency`, never queues more than maxQueued, and every call ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        async (concurrency, maxQueued, steps) => {
          const queue = new HashQueue({ concurrency, maxQueued, maxWaitMs: Number.POSITIVE_INFINITY });
          const open: Array<() => void> = [];
          let running = 0;
          const calls: Array<Promise<unknown>> = [];
          for (const start of steps) {
            if (start || open.length === 0) {
              const g = gate();
              calls.push(
                queue
                  .run(() => {
                    running += 1;
                    expect(running).toBeLessThanOrEqual(concurrency);
                    open.push(g.open);
                    return g.task().finally(() => (running -= 1));
                  })
                  .catch((e: unknown) => expect(e).toBeInstanceOf(OverloadedError)),
              );
            } else open.shift()!();
            expect(queue.queued).toBeLessThanOrEqual(maxQueued);
            await settle();
          }
          while (open.length > 0 || queue.queued > 0) {
            open.shift()?.();
            await settle();
          }
          await Promise.all(calls);
        },
      ),
      { numRuns: 60 },
    );
  });
});
