import { performance } from 'node:perf_hooks';
import { Aggregate } from './metrics/aggregate.js';
import type { MetricsSet } from './metrics/metrics-set.js';
import { ThresholdTracker } from './thresholds/evaluator.js';
import { GeneratorMonitor } from './monitor/generator.js';
import { TargetScraper } from './monitor/target.js';
import { runThread, type ThreadControl } from './engine/thread-runner.js';
import { runWorkers } from './engine/workers.js';
import { totalDuration, valueAt } from './engine/stages.js';
import { resolveScenario } from './scenarios/registry.js';
import { seedLocally, seedUsers, type SeedLocally } from './scenarios/seed.js';
import { buildReport } from './report/build.js';
import type { Report } from './report/types.js';
import type { RunConfig } from './types.js';

export interface Progress {
  elapsedMs: number;
  totalMs: number;
  reqs: number;
  rps: number;
  errorRate: number;
  p90: number;
  p99: number;
  vus: number;
  dropped: number;
  generatorCpu: number;
}

export interface RunHooks {
  log: (line: string) => void;
  progress?: (p: Progress) => void;
  /** Each closed second's metrics (all threads merged), as --out ndjson streams them. */
  second?: (t: number, set: MetricsSet) => void;
  /** Resolves when the user asks to stop (Ctrl-C): the run ends early and still reports. */
  interrupted?: Promise<string>;
  /** Creates the seeded accounts without HTTP (a run the server makes against itself); else seeding is over HTTP. */
  seedLocally?: SeedLocally;
}

/** Runs one load test to the end (or an abort) and returns its report. */
export async function runLoadTest(config: RunConfig, hooks: RunHooks): Promise<Report> {
  const plan = { ...config.plan };
  const scenario = await resolveScenario(plan.scenario);
  if (scenario.needsUsers && plan.users > 0)
    await (hooks.seedLocally
      ? seedLocally(plan, hooks.log, hooks.seedLocally)
      : seedUsers(plan, hooks.log, config.seedAdmin));
  if (scenario.setup) plan.setupData = await scenario.setup({ plan, log: hooks.log });

  const maxWindow = Math.max(1, ...config.thresholds.map((t) => t.windowSec ?? 1));
  const aggregate = new Aggregate(Math.max(maxWindow, 5), config.workers);
  aggregate.onClose = hooks.second;
  const tracker = new ThresholdTracker(config.thresholds);
  const threaded = config.workers > 1 || config.threaded === true;
  const generator = new GeneratorMonitor(config.workers, !threaded);
  const scraper = config.scrapeTargetMetrics
    ? new TargetScraper(
        new URL('/metrics', plan.target).href,
        config.thresholds.some((t) => t.metric.startsWith('target_')) ? 1000 : 5000,
        config.metricsToken,
      )
    : undefined;
  scraper?.start();

  const totalMs = totalDuration(plan.stages);
  const startedAt = new Date();
  const t0 = performance.now();
  let aborted: string | undefined;
  let sustainableRate = 0;
  let highestRateTried = 0;
  let failedOn: string[] = [];
  let control: ThreadControl | undefined;

  const onClosedSecond = (): void => {
    const elapsed = performance.now() - t0;
    const abort = tracker.tick(aggregate, elapsed);
    if (config.breakpoint) {
      const rate = valueAt(plan.start, plan.stages, Math.min(elapsed, totalMs));
      highestRateTried = Math.max(highestRateTried, rate);
      if (abort.length === 0 && tracker.windowsPassing(aggregate)) {
        // Completed iterations per second over the last two seconds, while every window passed.
        const seconds = Math.min(2, aggregate.ring.size);
        sustainableRate = Math.max(sustainableRate, aggregate.ring.last(seconds).iterations / seconds);
      }
    }
    if (abort.length > 0 && !aborted) {
      failedOn = abort.map((t) => t.key);
      aborted = `threshold crossed with abortOnFail: ${failedOn.join('; ')}`;
      hooks.log(`aborting: ${aborted}`);
      control?.stop();
    }
    if (hooks.progress) {
      const last = aggregate.lastSecond;
      const p = aggregate.timeline.points.at(-1);
      hooks.progress({
        elapsedMs: elapsed,
        totalMs,
        reqs: aggregate.totals.reqs,
        rps: last.reqs,
        errorRate: last.reqs ? last.failed / last.reqs : 0,
        p90: p?.p90 ?? 0,
        p99: p?.p99 ?? 0,
        vus: last.vus,
        dropped: aggregate.totals.dropped,
        generatorCpu: generator.sample(),
      });
    }
  };
  const onSecond = (second: MetricsSet): void => {
    if (aggregate.ingest(second)) onClosedSecond();
  };

  control = threaded
    ? runWorkers(plan, config.workers, onSecond, (p99, max, elu, part) => generator.workerLag(p99, max, elu, part))
    : runThread(plan, scenario, 0, 1, onSecond);
  void hooks.interrupted?.then((why) => {
    if (!aborted) aborted = why;
    control?.stop();
  });
  await control.done;
  aggregate.flush();
  const durationMs = performance.now() - t0;
  const generatorReport = generator.stop();
  const targetReport = scraper
    ? await scraper.stop()
    : { scraped: false, scrapes: 0, note: 'not scraped (single-URL run)' };

  return buildReport({
    totals: aggregate.totals,
    timeline: aggregate.timeline.points,
    startedAt,
    durationMs,
    config: describeConfig(config),
    label: config.label,
    scenario: {
      name: scenario.name,
      description: scenario.description,
      results: scenario.results?.(aggregate.totals) ?? {},
    },
    thresholds: config.thresholds,
    thresholdResults: tracker.results(aggregate, durationMs, targetReport.series),
    generator: generatorReport,
    target: config.targetPid === undefined ? targetReport : { ...targetReport, pid: config.targetPid },
    aborted,
    breakpoint: config.breakpoint
      ? {
          sustainableRate: Math.round(sustainableRate * 10) / 10,
          highestRateTried: Math.round(highestRateTried * 10) / 10,
          failedThresholds: failedOn,
        }
      : undefined,
  });
}

export function describeConfig(config: RunConfig): Record<string, unknown> {
  const { plan } = config;
  return {
    scenario: plan.scenario,
    target: plan.target,
    model: plan.model,
    start: plan.start,
    stages: plan.stages.map((s) => ({ duration: `${s.durationMs}ms`, target: s.target })),
    maxVus: plan.model === 'open' ? plan.maxVus : undefined,
    thinkMs: plan.thinkMs,
    users: plan.users,
    workers: config.workers,
    profile: config.profile,
    thresholds: config.thresholds.map((t) => ({ key: t.key, abortOnFail: t.abortOnFail })),
  };
}
