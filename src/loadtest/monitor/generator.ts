import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

export interface GeneratorReport {
  /** The generator's process id (with --self the target runs in another process). */
  pid: number;
  /** Process CPU over the run, as a share of one core (1 = one core busy). */
  cpu: number;
  /** CPU per thread the generator used: cpu / threads. */
  cpuPerThread: number;
  threads: number;
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  /** Busiest load-generating thread's event-loop utilisation (0–1) over the run. */
  eventLoopUtilization: number;
  saturated: boolean;
  reasons: string[];
  /** The generator's event loop ran late although it was mostly idle: the machine was short of CPU. */
  contended: boolean;
}

const CPU_SATURATED = 0.9;
const ELU_SATURATED = 0.9;
const LAG_SATURATED_MS = 50;

/** Watches the generator's own CPU and event-loop delay, so a slow generator is not blamed on the target. */
export class GeneratorMonitor {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly cpu0 = process.cpuUsage();
  private readonly t0 = performance.now();
  private readonly elu0 = performance.eventLoopUtilization();
  private readonly workerElu: number[] = [];
  /** Worst event-loop p99 reported by worker threads (ms). */
  private workerLagP99 = 0;
  private workerLagMax = 0;
  private lastCpu = process.cpuUsage();
  private lastT = performance.now();
  recentCpu = 0;

  /**
   * `mainGenerates`: whether the main thread runs load itself. When the load runs in worker threads
   * (--workers, or a run from the server) the main thread only aggregates — and in the server it also
   * serves requests — so its lag says nothing about the generator.
   */
  constructor(
    private readonly threads: number,
    private readonly mainGenerates: boolean,
  ) {
    this.delay.enable();
  }

  /** Each worker's latest report; its ELU is cumulative since the worker started. */
  workerLag(p99Ms: number, maxMs: number, elu: number, part: number): void {
    this.workerLagP99 = Math.max(this.workerLagP99, p99Ms);
    this.workerLagMax = Math.max(this.workerLagMax, maxMs);
    this.workerElu[part] = elu;
  }

  /** CPU share (of one core) since the previous call: for the live line. */
  sample(): number {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    this.recentCpu = (cpu.user + cpu.system) / 1000 / Math.max(now - this.lastT, 1);
    this.lastCpu = process.cpuUsage();
    this.lastT = now;
    return this.recentCpu;
  }

  stop(): GeneratorReport {
    this.delay.disable();
    const cpu = process.cpuUsage(this.cpu0);
    const wall = Math.max(performance.now() - this.t0, 1);
    const share = (cpu.user + cpu.system) / 1000 / wall;
    const mainP99 = this.delay.count ? this.delay.percentile(99) / 1e6 : 0;
    const mainMax = this.delay.count ? this.delay.max / 1e6 : 0;
    const p99 = this.mainGenerates ? Math.max(mainP99, this.workerLagP99) : this.workerLagP99;
    const max = this.mainGenerates ? Math.max(mainMax, this.workerLagMax) : this.workerLagMax;
    const elu = this.mainGenerates
      ? performance.eventLoopUtilization(this.elu0).utilization
      : Math.max(0, ...this.workerElu.filter((x) => x !== undefined));
    const perThread = share / this.threads;
    const reasons: string[] = [];
    if (this.mainGenerates && perThread >= CPU_SATURATED)
      reasons.push(`generator CPU at ${Math.round(perThread * 100)}% of its ${this.threads} thread(s)`);
    if (elu >= ELU_SATURATED) reasons.push(`a generator thread was busy ${Math.round(elu * 100)}% of the time`);
    // Lag while busy is the generator's own doing; lag while idle means it waited for a core.
    if (p99 >= LAG_SATURATED_MS && elu >= 0.5) reasons.push(`generator event-loop lag p99 ${p99.toFixed(0)} ms`);
    const contended = p99 >= LAG_SATURATED_MS && elu < 0.5;
    return {
      pid: process.pid,
      cpu: round(share),
      cpuPerThread: round(perThread),
      threads: this.threads,
      eventLoopLagP99Ms: round(p99),
      eventLoopLagMaxMs: round(max),
      eventLoopUtilization: round(elu),
      saturated: reasons.length > 0,
      reasons,
      contended,
    };
  }
}

const round = (v: number): number => Math.round(v * 1000) / 1000;
