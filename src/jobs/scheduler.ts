import type { Logger } from 'pino';

export interface ScheduledJob {
  name: string;
  intervalMs: number;
  runAtStart: boolean;
  run(): Promise<unknown>;
}

/**
 * Runs each job every `intervalMs`, never two runs of one job at once, and stops them all on `stop()`.
 * Intervals come from duration settings, not cron expressions, so a timer is all this needs.
 */
export class JobScheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  start(job: ScheduledJob): void {
    let busy = false;
    const tick = () => {
      if (busy || this.stopped) return;
      busy = true;
      const run = job
        .run()
        .catch((error: unknown) => this.logger.warn({ err: error, job: job.name }, 'background job failed'))
        .finally(() => {
          busy = false;
          this.running.delete(run);
        });
      this.running.add(run);
    };
    const timer = setInterval(tick, job.intervalMs);
    timer.unref();
    this.timers.push(timer);
    if (job.runAtStart) setImmediate(tick);
  }

  /** Stops the timers and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.running]);
  }
}
