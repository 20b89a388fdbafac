import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTesseraFixture, type Fixture } from '../fixtures/tessera-fixture.js';
import { runQuiet } from '../helpers.js';

describe('built-in Tessera scenarios (against the fixture server)', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await startTesseraFixture();
  });
  afterAll(() => fx.close());

  it('auth: seeds users, then login → session → logout per iteration', async () => {
    const report = await runQuiet({ scenario: 'auth', target: fx.url, vus: '2', duration: '1s', users: '3' });
    expect(fx.stats.signups).toBeGreaterThanOrEqual(3);
    const steps = report.steps;
    expect(Object.keys(steps).sort()).toEqual(['login', 'logout', 'session']);
    expect(steps.login.reqs).toBeGreaterThan(5);
    expect(steps.logout.statuses['204']).toBe(steps.logout.reqs);
    expect(report.metrics.checks.values.rate).toBe(1);
    expect(report.metrics.iterations.values.count).toBe(steps.logout.reqs);
    // The fixture exposes /metrics: the run scraped it.
    expect(report.target.scraped).toBe(true);
  });

  it('seeding again finds the users already there (409 is fine)', async () => {
    const before = { ...fx.stats };
    const log: string[] = [];
    const report = await runQuiet({ scenario: 'auth', target: fx.url, vus: '1', duration: '500ms', users: '3' }, log);
    expect(fx.stats.signups).toBe(before.signups);
    expect(log).toContain('seeded 3 users (0 created, 3 already there)');
    // The run then logs in as those users: every step answered as it should, nothing failed.
    const { login, session, logout } = report.steps;
    expect(Object.keys(report.steps).sort()).toEqual(['login', 'logout', 'session']);
    expect(login.reqs).toBeGreaterThan(0);
    expect(login.statuses).toEqual({ 200: login.reqs });
    expect(session.statuses).toEqual({ 200: session.reqs });
    expect(logout.statuses).toEqual({ 204: logout.reqs });
    for (const step of [login, session, logout]) expect(step.failed).toBe(0);
    expect(report.errors).toEqual({});
    expect(report.metrics.checks.values.fails).toBe(0);
    expect(report.metrics.http_req_failed.values.rate).toBe(0);
    expect(report.aborted).toBeUndefined();
    // The fixture saw exactly the requests the report counts, and no failed login.
    expect(fx.stats.logins - before.logins).toBe(login.reqs);
    expect(fx.stats.checks - before.checks).toBe(session.reqs);
    expect(fx.stats.logouts - before.logouts).toBe(logout.reqs);
    expect(fx.stats.failedLogins).toBe(before.failedLogins);
  });

  it('session: refresh rotates the token and the new one keeps working', async () => {
    const report = await runQuiet({ scenario: 'session', target: fx.url, vus: '2', duration: '1s', users: '2' });
    expect(report.steps.refresh.reqs).toBeGreaterThan(0);
    expect(report.steps.sessions_list.reqs).toBe(report.steps.refresh.reqs);
    expect(report.metrics.checks.values.fails).toBe(0);
  });

  it('cache: reads the tier from Server-Timing and reports the hit rate', async () => {
    const report = await runQuiet({ scenario: 'cache', target: fx.url, vus: '2', duration: '1s', users: '3' });
    const results = report.scenario.results;
    expect(results.cache_tier_samples).toBe(report.steps.cached_session.reqs);
    // Only the first check of each hot session comes from DB in the fixture.
    expect(results.cache_hit_rate as number).toBeGreaterThan(0.9);
    expect(report.steps.cached_session.cache.DB).toBeLessThanOrEqual(3);
  });

  it('bruteforce: each attacker one address at its rate, blocked after a few failures; legitimate logins keep working', async () => {
    const report = await runQuiet({
      scenario: 'bruteforce',
      target: fx.url,
      attackers: '3',
      attackRate: '40/s',
      legitVus: '2',
      duration: '1500ms',
    });
    const r = report.scenario.results;
    expect(r.attack_requests as number).toBeGreaterThan(30);
    // The fixture locks an address after 5 failures: every attacker is blocked from its 6th attempt on.
    expect(r.attack_blocked as number).toBeGreaterThan(0.5);
    expect(r.attackers_blocked).toBe(3);
    expect(r.attack_succeeded).toBe(0);
    expect(r.legit_failed).toBe(0);
    expect(r.legit_requests as number).toBeGreaterThanOrEqual(2 * 7);
    // 401/429 are the expected answers to an attack: not failures.
    expect(report.steps.attack_login.failed).toBe(0);
  });

  it('bot and signup run against the fixture without failures', async () => {
    const bot = await runQuiet({ scenario: 'bot', target: fx.url, bots: '2', botRate: '600/min', duration: '1s' });
    expect(bot.scenario.results.attack_requests as number).toBeGreaterThan(10);
    expect(bot.metrics.http_req_failed.values.rate).toBe(0);
    const signup = await runQuiet({ scenario: 'signup', target: fx.url, vus: '2', duration: '500ms' });
    expect(signup.steps.signup.statuses['201']).toBe(signup.steps.signup.reqs);
  });

  it('mixed: a weighted blend of flows', async () => {
    const report = await runQuiet({ scenario: 'mixed', target: fx.url, vus: '3', duration: '1500ms', users: '3' });
    expect(Object.keys(report.steps)).toEqual(expect.arrayContaining(['login', 'session', 'cached_session']));
  });
});
