import { describe, it, expect } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyProfile, PROFILES } from '../../src/loadtest/profiles.js';
import { totalDuration, valueAt, shareOf } from '../../src/loadtest/engine/stages.js';
import { capacity } from '../../src/loadtest/capacity.js';
import { planShare } from '../../src/loadtest/engine/workers.js';
import { buildRunConfig } from '../../src/loadtest/options.js';
import { runQuiet } from './helpers.js';

describe('stages and profiles', () => {
  it('interpolates ramps linearly and splits shares that add up', () => {
    const stages = [
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 0 },
    ];
    expect(valueAt(0, stages, 500)).toBe(5);
    expect(valueAt(0, stages, 1500)).toBe(5);
    expect(valueAt(0, stages, 5000)).toBe(0);
    expect([0, 1, 2].map((p) => shareOf(10, p, 3, true))).toEqual([4, 3, 3]);
  });

  it('every profile is a stage preset scaled by --duration and --vus / --rate', () => {
    for (const name of Object.keys(PROFILES)) {
      const p = applyProfile(name, { durationMs: 60_000, vus: 30 });
      expect(totalDuration(p.stages), name).toBeGreaterThan(59_000);
      expect(Math.max(p.start, ...p.stages.map((s) => s.target)), name).toBe(
        p.model === 'open' ? PROFILES[name].rate : 30,
      );
    }
    expect(applyProfile('load', { rate: 200 }).model).toBe('open');
    const bp = applyProfile('breakpoint', { rate: 1000, durationMs: 10_000 });
    expect(bp).toMatchObject({
      model: 'open',
      start: 0,
      breakpoint: true,
      stages: [{ durationMs: 10_000, target: 1000 }],
    });
    const spike = applyProfile('spike', { vus: 100 });
    expect(Math.max(...spike.stages.map((s) => s.target))).toBe(100);
  });

  it('profile defaults bring thresholds unless the user gives some', async () => {
    const errors: string[] = [];
    const c = await buildRunConfig({ scenario: 'auth', profile: 'breakpoint' }, errors);
    expect(c!.thresholds.every((t) => t.abortOnFail && t.windowSec === 5)).toBe(true);
    const d = await buildRunConfig({ scenario: 'auth', profile: 'load', threshold: ['http_reqs: count>1'] }, errors);
    expect(d!.thresholds.map((t) => t.key)).toEqual(['http_reqs: count>1']);
    expect(errors).toEqual([]);
  });

  it('worker shares of a plan add up to the plan', async () => {
    const errors: string[] = [];
    const c = (await buildRunConfig(
      { url: 'http://127.0.0.1:1/', rate: '100', maxVus: '7', stage: ['1s:50'] },
      errors,
    ))!;
    const parts = [0, 1, 2].map((p) => planShare(c.plan, p, 3));
    expect(parts.reduce((a, p) => a + p.start, 0)).toBeCloseTo(100);
    expect(parts.reduce((a, p) => a + p.maxVus, 0)).toBe(7);
  });
});

describe('capacity', () => {
  it('turns DAU into average and peak req/s, and a breakpoint report into instances', () => {
    const input = { dau: 86_400, requestsPerSession: 20, peak: 5, sessionsPerUser: 1, targetUtilisation: 0.5 };
    expect(capacity(input)).toEqual({ averageRps: 20, peakRps: 100 });
    const report = {
      metrics: {
        iterations: { type: 'counter', values: { count: 10 } },
        http_reqs: { type: 'counter', values: { count: 30, rate: 3 } },
      },
      breakpoint: { sustainableRate: 40, highestRateTried: 60, failedThresholds: [] },
    } as never;
    expect(capacity(input, report)).toMatchObject({ sustainableRps: 120, headroom: 1.2, instances: 2 });
  });
});

describe('breakpoint', () => {
  it('raises the rate until a windowed threshold fails, aborts, and reports the highest sustainable rate', async () => {
    // A server that can do about 50 requests a second (one at a time, 20 ms each).
    let busyUntil = 0;
    const server = http.createServer((_req, res) => {
      const now = Date.now();
      busyUntil = Math.max(busyUntil, now) + 20;
      setTimeout(() => res.end('ok'), busyUntil - now);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const report = await runQuiet({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        profile: 'breakpoint',
        rate: '300',
        duration: '6s',
        threshold: ['http_req_duration: p(95)<400 over 1s'],
        abortOnFail: true,
      });
      expect(report.aborted).toMatch(/abortOnFail/);
      expect(report.breakpoint!.sustainableRate).toBeGreaterThan(10);
      expect(report.breakpoint!.sustainableRate).toBeLessThan(80);
      expect(report.breakpoint!.sustainableRate).toBeLessThan(report.breakpoint!.highestRateTried);
      expect(report.breakpoint!.failedThresholds).toEqual(['http_req_duration: p(95)<400 over 1s']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
