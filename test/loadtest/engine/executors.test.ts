import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBareServer } from '../fixtures/tessera-fixture.js';
import { runQuiet } from '../helpers.js';

describe('executors', () => {
  let bare: Awaited<ReturnType<typeof startBareServer>>;
  beforeAll(async () => {
    bare = await startBareServer();
  });
  afterAll(() => bare.close());

  it('closed model: N VUs loop for the duration; everything recorded is what the server saw', async () => {
    const before = bare.requests();
    const report = await runQuiet({ url: bare.url, vus: '3', duration: '1s' });
    const count = report.metrics.http_reqs.values.count;
    expect(count).toBeGreaterThan(50);
    expect(bare.requests() - before).toBe(count);
    expect(report.metrics.vus.values.max).toBe(3);
    expect(report.metrics.iterations.values.count).toBe(count);
    expect(report.metrics.http_req_failed.values.rate).toBe(0);
    expect(report.steps.url.statuses['200']).toBe(count);
  });

  it('closed model ramps with stages', async () => {
    const report = await runQuiet({ url: bare.url, stage: ['1s:4', '500ms:0'], think: '20ms' });
    expect(report.metrics.vus.values.max).toBeGreaterThanOrEqual(3);
    expect(report.metrics.vus.values.max).toBeLessThanOrEqual(4);
  });

  it('open model: iterations arrive at the set rate whatever the VUs do', async () => {
    const report = await runQuiet({ url: bare.url, rate: '100', duration: '2s' });
    const count = report.metrics.iterations.values.count;
    expect(count).toBeGreaterThanOrEqual(190);
    expect(count).toBeLessThanOrEqual(201);
    expect(report.metrics.dropped_iterations.values.count).toBe(0);
  });

  it('open model: arrivals beyond the VU cap are dropped and counted', async () => {
    const slow = http.createServer((_req, res) => setTimeout(() => res.end('slow'), 300));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
    try {
      const report = await runQuiet({ url, rate: '50', maxVus: '2', duration: '1s' });
      // 2 VUs × ~3 iterations each can finish; the rest of ~50 arrivals are dropped.
      expect(report.metrics.dropped_iterations.values.count).toBeGreaterThan(30);
      expect(report.metrics.iterations.values.count).toBeLessThanOrEqual(10);
      expect(report.metrics.vus.values.max).toBeLessThanOrEqual(2);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});

describe('coordinated omission', () => {
  it('open model against a server stalling 200 ms every second: --rate 200 reports p99 >= 150 ms', async () => {
    const stalling = await startBareServer({ stallMs: 200 });
    try {
      const report = await runQuiet({ url: stalling.url, rate: '200', duration: '3s' });
      expect(report.metrics.iterations.values.count).toBeGreaterThan(400);
      expect(report.metrics.http_req_duration.values['p(99)']).toBeGreaterThanOrEqual(150);
    } finally {
      await stalling.close();
    }
  });
});
