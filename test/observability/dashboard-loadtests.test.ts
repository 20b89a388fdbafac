import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTessera, StartOptions } from '../../src/index.js';
import { launchChromium } from '../helpers/browser.js';
import { waitUntil } from '../helpers/poll.js';
import { apiClient, PASSWORD } from '../helpers/tessera.js';
import { SCREENSHOT_DIR } from './harness.js';
import { logInToDashboard, watchForErrors } from './dashboard-page.js';

const ADMIN_EMAIL = 'lt-dash@example.test';

/**
 * The dashboard's load-test panel on the built server (dist/, as `npm start` runs it: the load is generated in a
 * worker thread there), in headless Chromium.
 */
describe('dashboard load-test panel in headless Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-lt-dash-'));
  let server: RunningTessera;
  let browser: Browser;
  let admin: string;
  let started: { status: number; body: any };
  beforeAll(async () => {
    const built: string = '../../dist/index.js'; // the build under test, not the sources
    const { startTessera } = (await import(built)) as { startTessera: (o: StartOptions) => Promise<RunningTessera> };
    const generous = {
      RATE_LIMIT_IP_PER_MIN: '1000000',
      RATE_LIMIT_LOGIN_PER_MIN: '1000000',
      RATE_LIMIT_SIGNUP_PER_MIN: '1000000',
      RATE_LIMIT_USER_PER_MIN: '1000000',
    };
    server = await startTessera({
      env: {
        LOG_LEVEL: 'silent',
        TESSERA_DATA_DIR: dataDir,
        TESSERA_ADMIN_EMAIL: ADMIN_EMAIL,
        TESSERA_ADMIN_PASSWORD: PASSWORD,
        ALERT_EVAL_INTERVAL: '1h',
        ...generous,
      },
      port: 0,
      host: '127.0.0.1',
    });
    // The run goes while Chromium starts.
    const api = apiClient(server.url);
    admin = (await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD })).body.token as string;
    started = await api(
      'POST',
      '/v1/admin/loadtests',
      { scenario: 'auth', profile: 'smoke', vus: 2, duration: '1s', name: 'browser run' },
      { token: admin },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows a run started through the API with its grade, opens its HTML report, starts and stops a run', async () => {
    const api = apiClient(server.url);
    expect(started.status).toBe(202);
    const id = started.body.run.id as string;
    let run: any;
    await waitUntil(
      async () =>
        (run = (await api('GET', `/v1/admin/loadtests/${id}`, undefined, { token: admin })).body.run).status !==
        'running',
      20_000,
      'API run to end',
    );
    expect(run.status).toBe('passed');

    const context = await browser.newContext({ viewport: { width: 1400, height: 1400 } });
    const problems: string[] = [];
    const page = await context.newPage();
    watchForErrors(page, problems, 'dashboard');
    await logInToDashboard(page, server.url, ADMIN_EMAIL, PASSWORD);

    const row = page.locator(`#loadtests tr[data-run-id="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('browser run');
    expect(await row.locator('.status').textContent()).toBe('passed');
    expect(await row.textContent()).toContain(`grade ${run.grade}`);

    // The report opens in a new tab, authenticated by the session cookie of the login, with its charts drawn.
    const [report] = await Promise.all([context.waitForEvent('page'), row.locator('a:has-text("report")').click()]);
    watchForErrors(report, problems, 'report');
    await report.waitForLoadState();
    expect(report.url()).toBe(`${server.url}/v1/admin/loadtests/${id}/report?format=html`);
    expect(await report.title()).toBe('Tessera load test — browser run');
    await report.waitForSelector('.uplot canvas');
    expect(await report.locator('.grade').first().textContent()).toBe(run.grade);
    await report.screenshot({ path: join(SCREENSHOT_DIR, 'loadtest-report.png'), fullPage: true });
    await report.close();

    // Start a run from the panel's preset form, then stop it from its row.
    await page.waitForSelector('#lt-form:not([hidden])');
    await page.selectOption('#lt-preset', 'session/smoke');
    await page.fill('#lt-duration', '30s');
    await page.click('#lt-form button[type=submit]');
    const running = page.locator('#loadtests tbody tr').first();
    await running.locator('button:has-text("Stop")').waitFor();
    expect(await running.textContent()).toContain('session/smoke');
    await running.locator('button:has-text("Stop")').click();
    await page.waitForSelector('#loadtests tbody tr:first-child .status.stopped', { timeout: 20_000 });

    await page.screenshot({ path: join(SCREENSHOT_DIR, 'dashboard-loadtests.png'), fullPage: true });
    console.log(
      `load-test panel screenshots: ${join(SCREENSHOT_DIR, 'dashboard-loadtests.png')}, ${join(SCREENSHOT_DIR, 'loadtest-report.png')}`,
    );
    expect(problems).toEqual([]);
    await context.close();
  });
});
