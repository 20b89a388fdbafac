import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../helpers/server-process.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runQuiet } from '../helpers.js';

/**
 * bruteforce and bot against a real Tessera (its own process) with default protection plus TRUST_PROXY=true and an
 * admin account: users are seeded through the admin bulk route (27 of them, past the default 10 signups a
 * minute), attackers are blocked, banned and timed, the legitimate users keep working.
 */
const ADMIN = { adminEmail: 'lt-admin@example.test', adminPassword: 'Admin-Passw0rd!' };
let server: ServerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-attack-'));
  server = await startServerProcess({
    TESSERA_DATA_DIR: dataDir,
    TRUST_PROXY: 'true',
    TESSERA_ADMIN_EMAIL: ADMIN.adminEmail,
    TESSERA_ADMIN_PASSWORD: ADMIN.adminPassword,
  });
}, 30_000);
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('attack scenarios against a default Tessera', () => {
  it('bruteforce: stable attacker addresses at a set rate are blocked and banned; legitimate users keep working', async () => {
    const log: string[] = [];
    const report = await runQuiet(
      {
        scenario: 'bruteforce',
        target: server.url,
        attackers: '4',
        attackRate: '20/s',
        legitVus: '2',
        duration: '6s',
        threshold: [
          'attack_blocked: rate>0.2',
          'legit_failed: rate<0.01',
          'attack_blocked: rate>0.9999',
          'bans_seen: count>=1',
        ],
        ...ADMIN,
      },
      log,
    );
    expect(log).toContain('seeded 27 users (27 created, 0 already there)');
    const r = report.scenario.results;
    expect(r.attack_requests).toBe(report.steps.attack_login.reqs);
    // Low in a run this short on a busy machine: each attacker's first failures wait for password hashes.
    expect(r.attack_blocked).toBeGreaterThan(0.2);
    expect(r.attack_succeeded).toBe(0);
    expect(r.attackers_blocked).toBe(4);
    expect(r.bans_seen).toBeGreaterThanOrEqual(1);
    expect(r.time_to_first_block_ms).toBeGreaterThan(0);
    expect(r.time_to_first_block_ms).toBeLessThan(6000);
    expect(r.legit_failed).toBe(0);
    expect(r.legit_requests).toBeGreaterThan(0);
    // Refusals came from the target's protection: 429 (limits, lockouts) and 403 (bans).
    const statuses = report.steps.attack_login.statuses;
    expect((statuses['429'] ?? 0) + (statuses['403'] ?? 0)).toBe(
      Math.round((r.attack_blocked as number) * (r.attack_requests as number)),
    );
    expect(statuses['403']).toBeGreaterThan(0);
    // The same figures as k6 metrics, judged by thresholds (one made to fail).
    expect(report.metrics.attack_blocked.values.rate).toBe(r.attack_blocked);
    expect(report.metrics.legit_failed.values.rate).toBe(0);
    expect(report.metrics.attack_time_to_block.values.count).toBe(4);
    expect(report.thresholds['attack_blocked: rate>0.2'].ok).toBe(true);
    expect(report.thresholds['legit_failed: rate<0.01'].ok).toBe(true);
    expect(report.thresholds['bans_seen: count>=1'].ok).toBe(true);
    expect(report.thresholds['attack_blocked: rate>0.9999'].ok).toBe(false);
  }, 60_000);

  it('bot: each bot one address and client, stuffing credentials and signing up, is banned', async () => {
    const report = await runQuiet({
      scenario: 'bot',
      target: server.url,
      bots: '3',
      botRate: '900/min',
      legitVus: '2',
      duration: '6s',
      users: '27',
      ...ADMIN,
    });
    const r = report.scenario.results;
    expect(r.attack_requests).toBe(report.steps.bot_login.reqs + (report.steps.bot_signup?.reqs ?? 0));
    expect(report.steps.bot_signup?.reqs).toBeGreaterThan(0);
    expect(r.bans_seen).toBe(3);
    expect(r.attack_blocked).toBeGreaterThan(0.2);
    expect(r.legit_failed).toBe(0);
  }, 60_000);

  it('without admin credentials, seeding more users than the signup limit allows stops at once with what to do', async () => {
    const started = Date.now();
    await expect(runQuiet({ scenario: 'auth', target: server.url, users: '40', duration: '1s' })).rejects.toThrow(
      /--admin-email\/--admin-password.*IP_ALLOWLIST/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});
