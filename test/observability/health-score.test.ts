import { describe, expect, it } from 'vitest';
import { healthScore, type HealthInputs } from '../../src/observability/health-score.js';

const good: HealthInputs = {
  requests: 1000, errorRate: 0, p99Ms: 20, cacheHitRate: 0.98, cacheLookups: 900, eventLoopLagMs: 2, rssBytes: 100e6,
  dependencies: { database: { state: 'up' }, redis: { state: 'up' } },
};
const targets = { p99Ms: 250, rssBudgetBytes: 1e9 };

describe('health score', () => {
  it('is 100 with nothing wrong', () => {
    expect(healthScore(good, targets)).toEqual({ score: 100, status: 'healthy', deductions: [] });
  });

  it('gives the reason for every point lost, and the points add up', () => {
    const h = healthScore({ ...good, errorRate: 0.05, p99Ms: 600, cacheHitRate: 0.6, eventLoopLagMs: 500, rssBytes: 2e9, dependencies: { database: { state: 'up' }, redis: { state: 'down', detail: 'breaker open' } } }, targets);
    expect(h.deductions.map((d) => d.factor)).toEqual(['error_rate', 'latency', 'cache_hit_rate', 'dependency', 'event_loop_lag', 'memory']);
    expect(100 - h.deductions.reduce((n, d) => n + d.points, 0)).toBe(h.score);
    expect(h.deductions.find((d) => d.factor === 'dependency')!.reason).toBe('redis is down (breaker open)');
    expect(h.deductions.find((d) => d.factor === 'latency')!.reason).toContain('600 ms');
    expect(h.status).toBe('unhealthy');
  });

  it('never goes below 0 and ignores rates with too little traffic', () => {
    const h = healthScore({ ...good, requests: 3, errorRate: 1, p99Ms: 9999, dependencies: { database: { state: 'down' }, redis: { state: 'down' }, other: { state: 'down' } }, eventLoopLagMs: 9999, rssBytes: 9e9 }, targets);
    expect(h.deductions.some((d) => d.factor === 'error_rate' || d.factor === 'latency')).toBe(false);
    expect(h.score).toBeGreaterThanOrEqual(0);
    const worst = healthScore({ ...good, errorRate: 1, p99Ms: 9999, cacheHitRate: 0, dependencies: { database: { state: 'down' }, redis: { state: 'down' } }, eventLoopLagMs: 9999, rssBytes: 9e9 }, targets);
    expect(worst.score).toBe(0);
  });

  it('a small slip costs at least one point, so it is never invisible', () => {
    const h = healthScore({ ...good, p99Ms: 252 }, targets);
    expect(h.score).toBe(99);
  });
});
