import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, eventually, SCREENSHOT_DIR, startHarness } from './harness.js';
import { launchChromium } from '../helpers/browser.js';

describe('dashboard in headless Chromium', () => {
  let h: Awaited<ReturnType<typeof startHarness>>;
  let browser: Browser;
  beforeAll(async () => {
    h = await startHarness({ alertIntervalMs: 100_000 });
    h.obs.metrics.setSessionStatsSource(async () => ({ active: 42, expired: 3, revoked: 1 }));
    await h.obs.alerts.setRules([{ name: 'TrafficSeen', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'warning' }]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('logs in, charts update while traffic flows, an alert is acknowledged, no console errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(String(e)));
    const offsite: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(h.url)) offsite.push(r.url()); });

    await page.goto(`${h.url}/admin`);
    await page.fill('#password', 'wrong-password');
    await page.fill('#email', ADMIN.email);
    await page.click('button[type=submit]');
    await page.waitForSelector('#login-error:has-text("incorrect")');
    problems.length = 0; // the 401 of that failed login is logged by the browser itself
    await page.fill('#password', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForSelector('#app-view', { state: 'visible' });

    let traffic = true;
    const load = (async () => {
      while (traffic) await fetch(`${h.url}/v1/auth/session`).then((r) => r.arrayBuffer());
    })();
    try {
      await eventually(async () => Number(await page.getAttribute('#c-requests', 'data-points')) >= 3, 10_000, 200);
      await eventually(async () => Number(await page.textContent('#t-rps')) > 0, 5_000, 200);
      expect(await page.textContent('#t-sessions')).toBe('42');
      expect(await page.textContent('#t-hit')).toMatch(/%$/);
      await h.obs.evaluator!.tick();
    } finally {
      traffic = false;
      await load;
    }
    await page.selectOption('#alert-filter', 'firing');
    const ack = page.locator('#alerts tr:has-text("TrafficSeen") button:has-text("Ack")');
    await ack.waitFor({ timeout: 10_000 });
    await ack.click();
    await page.waitForSelector('#alerts tr:has-text("TrafficSeen") :text("acked by admin@example.com")');
    const [alert] = await h.obs.alerts.list('firing');
    expect(alert!.acknowledgedBy).toBe(ADMIN.email);
    await page.waitForSelector('#events tr:has-text("login_failed")');
    await page.waitForSelector('#bans tr:has-text("198.51.100.7")');

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard.png'), fullPage: true });
    console.log(`dashboard screenshot: ${join(SCREENSHOT_DIR, 'dashboard.png')}`);
    expect(problems).toEqual([]);
    expect(offsite).toEqual([]);
  });
});
