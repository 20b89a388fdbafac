import { describe, expect, it } from 'vitest';
import { healthScore, type HealthInputs } from '../../src/observability/health-score.js';

const good: HealthInputs = {
  requests: 1000,
  errorRate: 0,
  p99Ms: 20,
  cacheHitRate: 0.98,
  cacheLookups: 900,
  eventLoopLagMs: 2,
  rssBytes: 100e6,
  dependencies: { database: { state: 'up' }, redis: { state: 'up' } },
};
const targets = { p99Ms: 250, rssBudgetBytes: 1e9 };

describe('health score', () => {
  it('is 100 with nothing wrong', () => {
    expect(healthScore(good, targets)).toEqual({ score: 100, status: 'healthy', deductions: [] });
  });

  it('gives the reason for every point lost, and the points add up', () => {
    const h = healthScore(
      {
        ...good,
        errorRate: 0.05,
        p99Ms: 600,
        cacheHitRate: 0.6,
        eventLoopLagMs: 500,
        rssBytes: 2e9,
        dependencies: { database: { state: 'up' }, redis: { state: 'down', detail: 'breaker open' } },
      },
      targets,
    );
    expect(h.deductions.map((d) => d.factor)).toEqual([
      'error_rate',
      'latency',
      'cache_hit_rate',
      'dependency',
      'event_loop_lag',
      'memory',
    ]);
    // 5 % errors is past the 3 % "bad" level: all 30; p99 600 ms is 350/750 of the way to 4× the 250 ms target:
    // 12 of 25; a 60 % hit rate is 0.3/0.4 below the 90 % target: 11 of 15; Redis down 15; lag past 200 ms: all 10;
    // memory over budget: 10.
    expect(h.deductions.map((d) => d.points)).toEqual([30, 12, 11, 15, 10, 10]);
    expect(h.score).toBe(12);
    expect(100 - h.deductions.reduce((n, d) => n + d.points, 0)).toBe(h.score);
    expect(h.deductions.find((d) => d.factor === 'dependency')!.reason).toBe('redis is down (breaker open)');
    expect(h.deductions.find((d) => d.factor === 'latency')!.reason).toContain('600 ms');
    expect(h.status).toBe('unhealthy');
  });

  it('never goes below 0 and ignores rates with too little traffic', () => {
    const h = healthScore(
      {
        ...good,
        requests: 3,
        errorRate: 1,
        p99Ms: 9999,
        dependencies: { database: { state: 'down' }, redis: { state: 'down' }, other: { state: 'down' } },
        eventLoopLagMs: 9999,
        rssBytes: 9e9,
      },
      targets,
    );
    expect(h.deductions.some((d) => d.factor === 'error_rate' || d.factor === 'latency')).toBe(false);
    // Only the dependencies (database 40, Redis 15, an unknown one 20), lag and memory count: 100 − 95.
    expect(h.deductions.map((d) => [d.factor, d.points, d.reason])).toEqual([
      ['dependency', 40, 'database is down'],
      ['dependency', 15, 'redis is down'],
      ['dependency', 20, 'other is down'],
      ['event_loop_lag', 10, 'event-loop lag 9999 ms is above 50 ms'],
      ['memory', 10, 'resident memory 8583 MiB is over the 954 MiB budget'],
    ]);
    expect(h).toMatchObject({ score: 5, status: 'unhealthy' });
    const worst = healthScore(
      {
        ...good,
        errorRate: 1,
        p99Ms: 9999,
        cacheHitRate: 0,
        dependencies: { database: { state: 'down' }, redis: { state: 'down' } },
        eventLoopLagMs: 9999,
        rssBytes: 9e9,
      },
      targets,
    );
    // Every factor at its full weight, 145 points in all: the score stops at 0.
    expect(worst.deductions.reduce((n, d) => n + d.points, 0)).toBe(145);
    expect(worst.score).toBe(0);
  });

  it('a small slip costs at least one point, so it is never invisible', () => {
    const h = healthScore({ ...good, p99Ms: 252 }, targets);
    expect(h.score).toBe(99);
  });
});
