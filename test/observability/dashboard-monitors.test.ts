import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { logInToDashboard, watchForErrors } from './dashboard-page.js';

/** This file's fixed port (the monitors range 33000-33099). */
const REDIS_PORT = 33002;

let redis: OwnRedis;
let server: TestTessera;
let browser: Browser;
const ADMIN = 'tiles-admin@example.test';

beforeAll(async () => {
  redis = await startRedisServer([], { port: REDIS_PORT });
  server = await startTestTessera({
    REDIS_URL: redis.url,
    MONITOR_INTERVAL: '1s',
    TESSERA_ADMIN_EMAIL: ADMIN,
    TESSERA_ADMIN_PASSWORD: PASSWORD,
    ALERT_EVAL_INTERVAL: '1h',
  });
  server.runtime.startJobs();
  browser = await launchChromium();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await redis?.stop();
});

it('the dashboard shows the monitor tiles and the Redis nodes, with no console errors', async () => {
  const api = apiClient(server.url);
  for (let i = 0; i < 3; i++) await newSession(api);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  const problems: string[] = [];
  watchForErrors(page, problems);
  await logInToDashboard(page, server.url, ADMIN, PASSWORD);

  const tile = (id: string) => page.locator(`#${id}`);
  // A locator wait, not waitForFunction: the dashboard's CSP has no 'unsafe-eval' for a string predicate.
  await page.locator('#m-table', { hasText: /KB$/ }).waitFor({ timeout: 10_000 });
  expect(await tile('m-cpu').textContent()).toMatch(/^\d+%$/);
  expect(await tile('m-memory').textContent()).toMatch(/ MB$/);
  expect(await tile('m-uptime').textContent()).toMatch(/\d+m \d+s$/);
  expect(await tile('m-expired').textContent()).toBe('0');
  expect(await tile('m-writes').textContent()).toMatch(/^[\d,]+$/);
  expect(await tile('m-avg').textContent()).toMatch(/ ms$/);
  expect(await tile('m-redis-mem').textContent()).toMatch(/B$/);

  const row = page.locator(`#redis-nodes tr[data-node="127.0.0.1:${REDIS_PORT}"]`);
  await row.waitFor({ timeout: 10_000 });
  expect(await row.locator('td').nth(1).textContent()).toBe('master');
  expect(await row.locator('td').nth(2).textContent()).toBe('up');
  expect(problems).toEqual([]);
  await page.close();
});
