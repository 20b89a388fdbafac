import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTessera, type TestTessera } from '../../helpers/tessera.js';
import { runQuiet } from '../helpers.js';

/** write-heavy and invalidation against a real (embedded) Tessera. */
let server: TestTessera;
beforeAll(async () => {
  // The load tester is one address sending thousands of requests in seconds: on a quiet machine that is a
  // request-rate spike (1 000 per 10 s by default) and the address is throttled for the next tests.
  server = await startTestTessera({ ANOMALY_SPIKE_PER_10S: '1000000' });
}, 30_000);
afterAll(() => server?.stop());

describe('write-heavy and invalidation scenarios', () => {
  it('write-heavy: compare-and-set writes of session data, a refresh every 10th', async () => {
    // One VU: every iteration writes once, and the 10th, 20th… also refresh.
    const one = await runQuiet({ scenario: 'write-heavy', target: server.url, vus: '1', duration: '4s', users: '1' });
    const r = one.scenario.results;
    expect(r.writes as number).toBeGreaterThanOrEqual(10);
    expect(one.steps.write_data.statuses).toEqual({ 200: r.writes });
    expect(r.write_conflicts).toBe(0);
    expect(one.steps.refresh.reqs).toBe(Math.floor((r.writes as number) / 10));
    expect(one.metrics.checks.values.fails).toBe(0);
  }, 30_000);

  it('invalidation: every revoked session is refused at once (no stale answers), by each kind of revocation', async () => {
    const report = await runQuiet({
      scenario: 'invalidation',
      target: server.url,
      vus: '3',
      duration: '3s',
      users: '3',
    });
    const r = report.scenario.results;
    expect(r.invalidations as number).toBeGreaterThanOrEqual(3);
    expect(r.revoked_checks).toBe((r.invalidations as number) * 3);
    expect(r.stale_answers).toBe(0);
    expect(report.steps.validate_revoked.statuses).toEqual({ 401: r.revoked_checks });
    for (const step of ['logout', 'logout_all', 'password_change']) expect(report.steps[step]?.reqs).toBeGreaterThan(0);
    expect(report.metrics.checks.values.fails).toBe(0);
  }, 30_000);

  it('--mix read=70,write=20,invalidate=10: operations drawn by weight on a kept session', async () => {
    const report = await runQuiet({
      target: server.url,
      mix: 'read=70,write=20,invalidate=10',
      vus: '2',
      duration: '3s',
      users: '2',
    });
    const r = report.scenario.results as Record<string, number>;
    const ops = r.mix_read + r.mix_write + r.mix_invalidate;
    expect(report.scenario.name).toBe('mix');
    expect(ops).toBe(report.metrics.iterations.values.count);
    expect(ops).toBeGreaterThan(30);
    expect(r.mix_delete).toBe(0);
    expect(r.mix_read).toBeGreaterThan(r.mix_write);
    expect(r.mix_write).toBeGreaterThan(0);
    expect(report.steps.invalidate.statuses).toEqual({ 204: r.mix_invalidate });
    expect(report.metrics.checks.values.fails).toBe(0);
    const errors: string[] = [];
    const { buildRunConfig } = await import('../../../src/loadtest/options.js');
    expect(await buildRunConfig({ mix: 'read=1,nap=2' }, errors)).toBeUndefined();
    expect(errors[0]).toMatch(/"nap=2" is not OPERATION=WEIGHT/);
  }, 30_000);
});
