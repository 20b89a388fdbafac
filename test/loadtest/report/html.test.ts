import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTesseraFixture } from '../fixtures/tessera-fixture.js';
import { runQuiet } from '../helpers.js';
import { toHtml } from '../../../src/loadtest/report/html.js';
import { launchChromium } from '../../helpers/browser.js';

describe('HTML report', () => {
  it('renders its charts in headless Chromium with no console errors, offline', async () => {
    const fx = await startTesseraFixture();
    let html: string;
    try {
      const report = await runQuiet({
        scenario: 'session',
        target: fx.url,
        vus: '2',
        duration: '2s',
        users: '2',
        threshold: ['http_req_duration{step:login}: p(95)<1000'],
      });
      html = toHtml(report);
    } finally {
      await fx.close();
    }
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    const dir = mkdtempSync(join(tmpdir(), 'lt-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      // Self-contained: any network request would be a bug.
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) problems.push(`network request ${r.url()}`);
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('.uplot canvas');
      expect(await page.locator('.uplot canvas').count()).toBe(2);
      expect(await page.locator('.uplot .u-title').allTextContents()).toEqual([
        'Latency (ms) per second',
        'Throughput (req/s), errors and VUs',
      ]);
      const stepRows = await page.locator('section.run table tbody tr td:first-child').allTextContents();
      expect(stepRows).toEqual(expect.arrayContaining(['login', 'session', 'refresh', 'logout']));
      // The canvas has been drawn on (not blank).
      // A string, so this Node-typed file needs no DOM types.
      const drawn = await page.evaluate<number>(`(() => {
        const canvas = document.querySelector('.uplot canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
        return painted;
      })()`);
      expect(drawn).toBeGreaterThan(100);
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
