import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { JobScheduler } from '../../src/jobs/scheduler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const silent = pino({ level: 'silent' });

describe('JobScheduler', () => {
  it('runs a job on its interval, at start when asked, never two runs of one job at once', async () => {
    const jobs = new JobScheduler(silent);
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    jobs.start({
      name: 'slow',
      intervalMs: 10,
      runAtStart: true,
      run: async () => {
        runs += 1;
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        await sleep(35);
        concurrent -= 1;
      },
    });
    await sleep(5);
    expect(runs).toBe(1); // at start, before the first interval
    await sleep(200);
    expect(runs).toBeGreaterThan(2);
    expect(maxConcurrent).toBe(1);
    await jobs.stop();
  });

  it('stop() waits for the run in progress and no run starts afterwards', async () => {
    const jobs = new JobScheduler(silent);
    let runs = 0;
    let finished = 0;
    jobs.start({
      name: 'j',
      intervalMs: 20,
      runAtStart: true,
      run: async () => {
        runs += 1;
        await sleep(60);
        finished += 1;
      },
    });
    await sleep(10);
    expect(runs).toBe(1);
    await jobs.stop();
    expect(finished).toBe(1); // stop() returned only after the run completed
    await sleep(120);
    expect(runs).toBe(1);
  });

  it('a failing run is logged and the job keeps its schedule', async () => {
    const lines: string[] = [];
    const logger = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          lines.push(line);
        },
      },
    );
    const jobs = new JobScheduler(logger);
    let runs = 0;
    jobs.start({
      name: 'flaky',
      intervalMs: 15,
      runAtStart: false,
      run: async () => {
        runs += 1;
        throw new Error('boom');
      },
    });
    await sleep(100);
    await jobs.stop();
    expect(runs).toBeGreaterThan(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      job: 'flaky',
      msg: 'background job failed',
      err: { message: 'boom' },
    });
  });
});
