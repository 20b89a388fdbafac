import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Protection } from '../../src/security/protection.js';
import { buildTestApp, makeProtection } from './fixtures.js';

const opened: Array<{ app: FastifyInstance; protection: Protection }> = [];
afterEach(async () => {
  for (const { app, protection } of opened.splice(0)) {
    await app.close();
    await protection.close();
  }
});

async function startApp(): Promise<{ app: FastifyInstance; protection: Protection }> {
  const protection = await makeProtection({ env: { RATE_LIMIT_IP_PER_MIN: '1' } });
  const app = await buildTestApp(protection);
  opened.push({ app, protection });
  return { app, protection };
}

/** Goes over the per-IP limit once from the inject address (127.0.0.1). */
async function overTheLimit(app: FastifyInstance): Promise<void> {
  const statuses = [];
  for (let i = 0; i < 2; i++)
    statuses.push((await app.inject({ method: 'POST', url: '/v1/auth/signup', payload: {} })).statusCode);
  expect(statuses).toEqual([201, 429]);
}

async function scoreOf(protection: Protection, ip: string): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve)); // the penalty is applied without waiting for it
  return (await protection.reputation.verdict(ip)).score;
}

describe('rate-limit penalty memory', () => {
  it('penalises an IP once per 10 s per protection layer', async () => {
    const { app, protection } = await startApp();
    await overTheLimit(app);
    const once = await scoreOf(protection, '127.0.0.1');
    expect(once).toBeLessThan(100);
    expect((await app.inject({ method: 'POST', url: '/v1/auth/signup', payload: {} })).statusCode).toBe(429);
    // No second penalty within 10 s: the score can only have recovered a little since (it recovers with time).
    const again = await scoreOf(protection, '127.0.0.1');
    expect(again).toBeGreaterThanOrEqual(once);
    expect(again).toBeLessThan(once + 0.5);
  });

  it('is not shared by two apps in one process: each protection penalises the IP on its own', async () => {
    const first = await startApp();
    const second = await startApp();
    await overTheLimit(first.app);
    await overTheLimit(second.app);
    expect(await scoreOf(first.protection, '127.0.0.1')).toBeLessThan(100);
    expect(await scoreOf(second.protection, '127.0.0.1')).toBeLessThan(100);
  });
});
