import { describe, it, expect, afterEach } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePrometheus } from '../../../src/loadtest/monitor/prometheus.js';
import { TargetScraper, cacheHitRate } from '../../../src/loadtest/monitor/target.js';

let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

describe('target /metrics', () => {
  it('parses Prometheus text: labels with escapes, comments, special values', () => {
    const samples = parsePrometheus('# HELP x y\n# TYPE x counter\nx{a="1",b="q\\"uote"} 3\ny 1e3\nz +Inf\nbad line\n');
    expect(samples).toEqual([
      { name: 'x', labels: { a: '1', b: 'q"uote' }, value: 3 },
      { name: 'y', labels: {}, value: 1000 },
      { name: 'z', labels: {}, value: Infinity },
    ]);
  });

  it('computes the hit rate from tiered lookup counters', () => {
    expect(cacheHitRate({ 'L1:hit': 80, 'L1:miss': 20, 'L2:hit': 15, 'L2:miss': 5 })).toBe(0.95);
    expect(cacheHitRate({ 'ALL:hit': 3, 'ALL:miss': 1 })).toBe(0.75);
    expect(cacheHitRate({})).toBeUndefined();
  });

  it('scrapes during the run and reports deltas; tolerates a target without /metrics', async () => {
    let hits = 0;
    server = http.createServer((_req, res) => {
      hits += 90;
      res.end(
        `tessera_cache_lookups_total{tier="L1",result="hit"} ${hits}\ntessera_cache_lookups_total{tier="L1",result="miss"} ${hits / 9}\nnodejs_eventloop_lag_p99_seconds 0.25\nprocess_cpu_seconds_total ${hits / 90}\n`,
      );
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const scraper = new TargetScraper(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, 200);
    scraper.start();
    await new Promise((r) => setTimeout(r, 1500));
    const report = await scraper.stop();
    expect(report.scraped).toBe(true);
    expect(report.cacheHitRate).toBe(0.9);
    expect(report.eventLoopLagP99Ms).toBe(250);
    expect(report.cpu).toBeGreaterThan(0);

    // The first scrape is the baseline: the lag it reports happened before the run (the target's start-up).
    let scrapes = 0;
    server.closeAllConnections();
    server.close();
    server = http.createServer((_req, res) => {
      scrapes++;
      res.end(
        `nodejs_eventloop_lag_p99_seconds ${scrapes === 1 ? 1.2 : 0.004}\nprocess_cpu_seconds_total ${scrapes}\n`,
      );
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const fresh = new TargetScraper(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, 200);
    fresh.start();
    await new Promise((r) => setTimeout(r, 700));
    const afterStartUp = await fresh.stop();
    expect(scrapes).toBeGreaterThanOrEqual(2);
    expect(afterStartUp.eventLoopLagP99Ms).toBe(4);

    const none = new TargetScraper('http://127.0.0.1:1/metrics', 200);
    none.start();
    const missing = await none.stop();
    expect(missing.scraped).toBe(false);
    expect(missing.note).toMatch(/ECONNREFUSED/);
  });
});
