import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { eventually, SCREENSHOT_DIR } from './harness.js';
import { launchChromium } from '../helpers/browser.js';

const ADMIN_EMAIL = 'dash-admin@example.test';

describe('dashboard on the real app in headless Chromium', () => {
  let t: TestTessera;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestTessera({ TESSERA_ADMIN_EMAIL: ADMIN_EMAIL, TESSERA_ADMIN_PASSWORD: PASSWORD, ALERT_EVAL_INTERVAL: '1h' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('admin logs in, live charts move with real session checks, an alert is acknowledged', async () => {
    const api = apiClient(t.url);
    const admin = (await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD })).body.token as string;
    const rules = await api('PUT', '/v1/admin/alerts/rules', { rules: [{ name: 'TrafficSeen', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'critical' }] }, { token: admin });
    expect(rules.status).toBe(200);
    const user = await newSession(api);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      problems.push(`${m.text()} @ ${m.location().url}`);
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${t.url}/admin`);
    await page.fill('#email', ADMIN_EMAIL);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('#app-view', { state: 'visible' });

    let traffic = true;
    const load = (async () => {
      while (traffic) await fetch(`${t.url}/v1/auth/session`, { headers: { authorization: `Bearer ${user.token}` } }).then((r) => r.arrayBuffer());
    })();
    try {
      await eventually(async () => Number(await page.getAttribute('#c-requests', 'data-points')) >= 3, 10_000, 200);
      await eventually(async () => Number(await page.textContent('#t-rps')) > 0, 5_000, 200);
      await eventually(async () => (await page.textContent('#t-hit'))?.endsWith('%'), 5_000, 200);
      expect(Number(await page.textContent('#t-sessions'))).toBeGreaterThanOrEqual(2);
      await t.runtime.observability.evaluator!.tick();
    } finally {
      traffic = false;
      await load;
    }
    await page.selectOption('#alert-filter', 'firing');
    const ack = page.locator('#alerts tr:has-text("TrafficSeen") button:has-text("Ack")');
    await ack.waitFor({ timeout: 10_000 });
    await ack.click();
    await page.waitForSelector(`#alerts tr:has-text("TrafficSeen") :text("acked by ${ADMIN_EMAIL}")`);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-app.png'), fullPage: true });
    console.log(`dashboard screenshot: ${join(SCREENSHOT_DIR, 'dashboard-app.png')}`);
    expect(problems).toEqual([]);
  });
});
