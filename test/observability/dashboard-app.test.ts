import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { eventually, SCREENSHOT_DIR } from './harness.js';
import { launchChromium } from '../helpers/browser.js';
import {
  acknowledgeAlert,
  logInToDashboard,
  waitForLiveCharts,
  watchForErrors,
  whileTrafficFlows,
} from './dashboard-page.js';

const ADMIN_EMAIL = 'dash-admin@example.test';

describe('dashboard on the real app in headless Chromium', () => {
  let t: TestTessera;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestTessera({
      TESSERA_ADMIN_EMAIL: ADMIN_EMAIL,
      TESSERA_ADMIN_PASSWORD: PASSWORD,
      ALERT_EVAL_INTERVAL: '1h',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('admin logs in, live charts move with real session checks, an alert is acknowledged', async () => {
    const api = apiClient(t.url);
    const admin = (await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD })).body
      .token as string;
    const rules = await api(
      'PUT',
      '/v1/admin/alerts/rules',
      {
        rules: [
          { name: 'TrafficSeen', expr: 'requests_per_sec', op: '>', threshold: 0, for: '0', severity: 'critical' },
        ],
      },
      { token: admin },
    );
    expect(rules.status).toBe(200);
    const user = await newSession(api);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const problems: string[] = [];
    watchForErrors(page, problems);
    await logInToDashboard(page, t.url, ADMIN_EMAIL, PASSWORD);

    await whileTrafficFlows(
      () => fetch(`${t.url}/v1/auth/session`, { headers: { authorization: `Bearer ${user.token}` } }),
      async () => {
        await waitForLiveCharts(page);
        await eventually(async () => (await page.textContent('#t-hit'))?.endsWith('%'), 5_000, 200);
        expect(Number(await page.textContent('#t-sessions'))).toBeGreaterThanOrEqual(2);
        await t.runtime.observability.evaluator!.tick();
      },
    );
    await acknowledgeAlert(page, 'TrafficSeen', ADMIN_EMAIL);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-app.png'), fullPage: true });
    console.log(`dashboard screenshot: ${join(SCREENSHOT_DIR, 'dashboard-app.png')}`);
    expect(problems).toEqual([]);
  });
});
