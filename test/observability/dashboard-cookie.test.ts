import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newSession, PASSWORD, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { launchChromium } from '../helpers/browser.js';
import { logInToDashboard, waitForLiveCharts, watchForErrors, whileTrafficFlows } from './dashboard-page.js';

const ADMIN_EMAIL = 'cookie-admin@example.test';

// Page-side code as strings: the tests are compiled without the DOM library.
const RECORD_CSP_VIOLATIONS = `
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) =>
    window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
`;

/** Records every Content-Security-Policy violation the page reports, from before its first script runs. */
const recordCspViolations = async (context: BrowserContext): Promise<void> => {
  await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
};

const cspViolations = (page: Page): Promise<string[]> => page.evaluate('window.cspViolations');

/** Everything page scripts can read that could hold a credential. */
const scriptReadableState = (page: Page): Promise<string> =>
  page.evaluate(
    'JSON.stringify({ session: Object.entries(sessionStorage), local: Object.entries(localStorage), cookie: document.cookie })',
  );

describe('dashboard signed in by the HttpOnly session cookie, under a CSP without unsafe-inline', () => {
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

  it("serves /admin and its assets with a policy that allows only the page's own files", async () => {
    for (const path of ['/admin', '/admin/app.js', '/admin/style.css']) {
      const csp = (await fetch(`${t.url}${path}`)).headers.get('content-security-policy') ?? '';
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("default-src 'none'");
    }
    const html = await (await fetch(`${t.url}/admin`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\s(on\w+|style)=/); // no inline handlers or style attributes
  });

  it('logs in, keeps no token where scripts can read it, survives a reload, opens on the cookie alone, logs out', async () => {
    const user = await newSession(apiClient(t.url));
    const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    await recordCspViolations(context);
    const page = await context.newPage();
    const problems: string[] = [];
    watchForErrors(page, problems);

    // Signed out: the login form, and no failed request in the console.
    await page.goto(`${t.url}/admin`);
    await page.waitForSelector('#login-view', { state: 'visible' });
    await logInToDashboard(page, t.url, ADMIN_EMAIL, PASSWORD);
    expect(await page.textContent('#who')).toBe(ADMIN_EMAIL);
    const state = await scriptReadableState(page);
    expect(state).not.toContain('tss_');
    expect(state).not.toContain('tessera_session');
    const [cookie] = (await context.cookies(t.url)).filter((c) => c.name === 'tessera_session');
    expect(cookie?.value).toMatch(/^tss_/);
    expect(cookie?.httpOnly).toBe(true);

    // A reload opens on the dashboard, not the login form.
    await page.reload();
    await page.waitForSelector('#app-view', { state: 'visible' });
    expect(await page.isHidden('#login-view')).toBe(true);
    expect(await scriptReadableState(page)).not.toContain('tss_');

    // A fresh browser holding nothing but the cookie sees the live charts.
    const other = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
    await recordCspViolations(other);
    await other.addCookies([cookie]);
    const second = await other.newPage();
    watchForErrors(second, problems, 'cookie only');
    await second.goto(`${t.url}/admin`);
    await second.waitForSelector('#app-view', { state: 'visible' });
    await whileTrafficFlows(
      () => fetch(`${t.url}/v1/auth/session`, { headers: { authorization: `Bearer ${user.token}` } }),
      () => waitForLiveCharts(second),
    );
    expect(await cspViolations(second)).toEqual([]);
    await other.close();

    // Log out: the server ends the session and clears the cookie; a reload shows the login form.
    await page.click('#logout');
    await page.waitForSelector('#login-view', { state: 'visible' });
    expect((await context.cookies(t.url)).filter((c) => c.name === 'tessera_session')).toEqual([]);
    const revoked = await fetch(`${t.url}/v1/auth/session`, {
      headers: { cookie: `tessera_session=${cookie.value}` },
    });
    expect(revoked.status).toBe(401);
    await page.reload();
    await page.waitForSelector('#login-view', { state: 'visible' });
    expect(await page.isHidden('#app-view')).toBe(true);

    expect(await cspViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses cookie-authenticated admin writes from another origin (CSRF), accepts them from its own', async () => {
    const api = apiClient(t.url);
    const login = await api('POST', '/v1/auth/login', { email: ADMIN_EMAIL, password: PASSWORD });
    const cookie = `tessera_session=${login.body.token as string}`;
    const warm = (headers: Record<string, string>) =>
      fetch(`${t.url}/v1/admin/cache/warm`, { method: 'POST', headers: { cookie, ...headers } });

    const crossSite: Array<Record<string, string>> = [
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://evil.example' },
      { origin: t.url.replace('127.0.0.1', 'localhost'), 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of crossSite) {
      const res = await warm(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    expect((await warm({ origin: t.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await warm({ origin: t.url })).status).toBe(200);
  });
});
