import type { Page } from 'playwright-core';
import { eventually } from './harness.js';

/** Collects the browser's console errors and uncaught page errors into `problems`, prefixed with `name`. */
export function watchForErrors(page: Page, problems: string[], name = ''): void {
  const prefix = name ? `${name}: ` : '';
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${prefix}${m.text()} @ ${m.location().url}`);
  });
  page.on('pageerror', (e) => problems.push(`${prefix}${String(e)}`));
}

/** Signs in through the dashboard's form and waits for the app view. */
export async function logInToDashboard(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  if (!page.url().startsWith(`${baseUrl}/admin`)) await page.goto(`${baseUrl}/admin`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('#app-view', { state: 'visible' });
}

/** Runs `check` while `request` is sent in a loop, then stops the traffic whatever happened. */
export async function whileTrafficFlows(request: () => Promise<Response>, check: () => Promise<void>): Promise<void> {
  let traffic = true;
  const load = (async () => {
    while (traffic) await request().then((r) => r.arrayBuffer());
  })();
  try {
    await check();
  } finally {
    traffic = false;
    await load;
  }
}

/** Waits until the live request chart has points and the req/s tile moved. */
export async function waitForLiveCharts(page: Page): Promise<void> {
  await eventually(async () => Number(await page.getAttribute('#c-requests', 'data-points')) >= 3, 10_000, 200);
  await eventually(async () => Number(await page.textContent('#t-rps')) > 0, 5_000, 200);
}

/** Acknowledges the firing alert of `rule` from the alerts panel and waits until the panel shows who did. */
export async function acknowledgeAlert(page: Page, rule: string, by: string): Promise<void> {
  await page.selectOption('#alert-filter', 'firing');
  const ack = page.locator(`#alerts tr:has-text("${rule}") button:has-text("Ack")`);
  await ack.waitFor({ timeout: 10_000 });
  await ack.click();
  await page.waitForSelector(`#alerts tr:has-text("${rule}") :text("acked by ${by}")`);
}
