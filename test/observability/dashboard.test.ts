import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, SCREENSHOT_DIR, startHarness } from './harness.js';
import { launchChromium } from '../helpers/browser.js';
import {
  acknowledgeAlert,
  logInToDashboard,
  waitForLiveCharts,
  watchForErrors,
  whileTrafficFlows,
} from './dashboard-page.js';

describe('dashboard in headless Chromium', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness({ alertIntervalMs: 100_000 });
    h.obs.metrics.setSessionStatsSource(async () => ({ active: 42, expired: 3, revoked: 1 }));
    await h.obs.alerts.setRules([
      { name: 'TrafficSeen', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'warning' },
    ]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('logs in, charts update while traffic flows, an alert is acknowledged, no console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const problems: string[] = [];
    watchForErrors(page, problems);
    const offsite: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(h.url)) offsite.push(r.url());
    });

    await page.goto(`${h.url}/admin`);
    await page.fill('#password', 'wrong-password');
    await page.fill('#email', ADMIN.email);
    await page.click('button[type=submit]');
    await page.waitForSelector('#login-error:has-text("incorrect")');
    problems.length = 0; // the 401 of that failed login is logged by the browser itself
    await logInToDashboard(page, h.url, ADMIN.email, ADMIN.password);

    await whileTrafficFlows(
      () => fetch(`${h.url}/v1/auth/session`),
      async () => {
        await waitForLiveCharts(page);
        expect(await page.textContent('#t-sessions')).toBe('42');
        expect(await page.textContent('#t-hit')).toMatch(/%$/);
        await h.obs.evaluator!.tick();
      },
    );
    await acknowledgeAlert(page, 'TrafficSeen', 'admin@example.com');
    const [alert] = await h.obs.alerts.list('firing');
    expect(alert.acknowledgedBy).toBe(ADMIN.email);
    await page.waitForSelector('#events tr:has-text("login_failed")');
    await page.waitForSelector('#bans tr:has-text("198.51.100.7")');

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png'), fullPage: true });
    console.log(`dashboard screenshot: ${join(SCREENSHOT_DIR, 'dashboard.png')}`);
    expect(problems).toEqual([]);
    expect(offsite).toEqual([]);
  });
});
