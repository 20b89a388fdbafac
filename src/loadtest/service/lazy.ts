import type { Report } from '../report/types.js';
import type { StartInput } from './run-request.js';
import type { LoadTestService, LoadTestServiceOptions } from './service.js';
import type { SelfAddress } from './target.js';
import type { RunView } from './views.js';

/** What the server asks of its load-test service (/v1/admin/loadtests and shutdown). */
export type LoadTests = Pick<
  LoadTestService,
  'start' | 'list' | 'get' | 'stop' | 'reportJson' | 'report' | 'saveBaseline' | 'compare' | 'close'
> & {
  presets(self: SelfAddress): Promise<ReturnType<LoadTestService['presets']>>;
};

/**
 * The load-test service, loaded at its first use: the engine, scenarios, reports and their libraries (undici, yaml,
 * hdr-histogram) cost an idle server ~10 MB and only an admin starting or listing runs needs them. Until then no run
 * exists on this instance, so closing has nothing to stop.
 */
export class LazyLoadTestService implements LoadTests {
  private loading: Promise<LoadTestService> | undefined;
  private loaded: LoadTestService | undefined;

  constructor(private readonly options: LoadTestServiceOptions) {}

  private service(): Promise<LoadTestService> {
    this.loading ??= import('./service.js').then(({ LoadTestService }) => {
      this.loaded = new LoadTestService(this.options);
      return this.loaded;
    });
    return this.loading;
  }

  async presets(self: SelfAddress): Promise<ReturnType<LoadTestService['presets']>> {
    return (await this.service()).presets(self);
  }

  async start(input: StartInput, context: { self: SelfAddress; createdBy: string | null }): Promise<RunView> {
    return (await this.service()).start(input, context);
  }

  async list(limit?: number): Promise<RunView[]> {
    return (await this.service()).list(limit);
  }

  async get(id: string): Promise<RunView> {
    return (await this.service()).get(id);
  }

  async stop(id: string, waitMs?: number): Promise<{ run: RunView; ended: boolean }> {
    return (await this.service()).stop(id, waitMs);
  }

  async reportJson(id: string): Promise<string> {
    return (await this.service()).reportJson(id);
  }

  async report(id: string): Promise<Report> {
    return (await this.service()).report(id);
  }

  async saveBaseline(id: string): ReturnType<LoadTestService['saveBaseline']> {
    return (await this.service()).saveBaseline(id);
  }

  async compare(id: string, baselineId: string, tolerancePct: number): ReturnType<LoadTestService['compare']> {
    return (await this.service()).compare(id, baselineId, tolerancePct);
  }

  async close(reason?: string, waitMs?: number): Promise<void> {
    // A run can only have started through a loaded service; one still loading has none yet.
    await this.loaded?.close(reason, waitMs);
  }
}
