import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTessera, type TestTessera } from '../../helpers/tessera.js';
import { runQuiet } from '../helpers.js';

/** target_* thresholds are judged on what a real Tessera's /metrics gave during the run. */
let server: TestTessera;
beforeAll(async () => {
  server = await startTestTessera();
}, 30_000);
afterAll(() => server?.stop());

describe('target metrics in thresholds', () => {
  it('reads CPU, memory and event-loop lag from /metrics each second and judges thresholds on them', async () => {
    const report = await runQuiet({
      scenario: 'auth',
      target: server.url,
      vus: '2',
      duration: '3s',
      users: '2',
      threshold: [
        'target_cpu: avg<100000',
        'target_memory: max<1',
        'target_memory: min>1',
        'target_event_loop_lag: max>=0',
      ],
    });
    const series = report.target.series!;
    expect(series.target_cpu!.samples).toBeGreaterThanOrEqual(2);
    expect(series.target_cpu!.avg).toBeGreaterThan(0);
    // This process is the target: its resident memory is tens of MB.
    expect(series.target_memory!.min).toBeGreaterThan(10);
    expect(report.thresholds['target_cpu: avg<100000']).toEqual({ ok: true, value: series.target_cpu!.avg });
    expect(report.thresholds['target_memory: max<1']).toEqual({ ok: false, value: series.target_memory!.max });
    expect(report.thresholds['target_memory: min>1'].ok).toBe(true);
    expect(report.thresholds['target_event_loop_lag: max>=0'].ok).toBe(true);
  }, 30_000);

  it('a target threshold on a target without /metrics fails rather than passing unseen', async () => {
    const { startBareServer } = await import('../fixtures/tessera-fixture.js');
    const bare = await startBareServer();
    try {
      const report = await runQuiet({ url: bare.url, vus: '1', duration: '1500ms', threshold: ['target_cpu: avg<80'] });
      expect(report.thresholds['target_cpu: avg<80'].ok).toBe(false);
    } finally {
      await bare.close();
    }
  }, 30_000);
});
