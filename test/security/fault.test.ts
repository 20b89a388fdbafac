import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TesseraError } from '../../src/errors/index.js';
import { LoginGuard } from '../../src/security/login-guard.js';
import { RateLimits } from '../../src/security/rate-limits.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { describeWith } from '../helpers/services.js';
import { waitUntil } from '../helpers/poll.js';

const limits = { ipPerMin: 5, loginPerMin: 5, signupPerMin: 5, userPerMin: 5, throttledPerMin: 1 };
const guardSettings = {
  maxConsecutiveFailsPerEmailIp: 3,
  emailIpLockMs: 60_000,
  maxFailsPerIpPerDay: 1000,
  ipBlockMs: 60_000,
  accountLockFails: 1000,
  accountLockMinIps: 5,
  accountLockWindowMs: 60_000,
  accountLockBaseMs: 60_000,
  accountLockMaxMs: 60_000,
  accountLockResetMs: 60_000,
};

describeWith(['redis'], 'protection when its Redis fails (private redis-server)', () => {
  let server: OwnRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    // Like the service's client: commands fail fast while disconnected, the client keeps reconnecting.
    redis = new Redis(server.url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 100 });
    redis.on('error', () => {});
    await new Promise((r) => redis.once('ready', r));
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('the in-process insurance limiter keeps limiting when Redis is killed, and Redis takes over again when back', async () => {
    const backend = { redis, keyPrefix: 'tss:sec:', timeoutMs: 200 };
    const rl = new RateLimits(backend, limits);
    const guard = new LoginGuard(backend, guardSettings);
    for (let i = 0; i < 3; i++) expect((await rl.consume('ip', '192.0.2.1')).allowed).toBe(true);
    expect(await redis.get('tss:sec:rl:ip:192.0.2.1')).toBe('3');

    await server.stop();
    await waitUntil(() => redis.status !== 'ready');
    const during = [];
    for (let i = 0; i < 8; i++) during.push((await rl.consume('ip', '192.0.2.1')).allowed);
    // The insurance limiter starts its own count: at most `points` more pass, then it refuses.
    expect(during.filter(Boolean).length).toBeLessThanOrEqual(5);
    expect(during.slice(-3)).toEqual([false, false, false]);
    const attempt = { email: 'victim@example.com', ip: '192.0.2.2' };
    for (let i = 0; i < 3; i++) await guard.recordFailure(attempt);
    await expect(guard.check(attempt)).rejects.toMatchObject({ code: 'locked_out' });

    await server.restart();
    await waitUntil(() => redis.status === 'ready', 10_000);
    expect((await rl.consume('ip', '192.0.2.3')).allowed).toBe(true);
    expect(await redis.get('tss:sec:rl:ip:192.0.2.3')).toBe('1');
  });

  it('a paused (hung) Redis costs at most the timeout per call, and limiting goes on', async () => {
    await waitUntil(() => redis.status === 'ready', 10_000);
    const backend = { redis, keyPrefix: 'tss:sec2:', timeoutMs: 150 };
    const rl = new RateLimits(backend, limits);
    const guard = new LoginGuard(backend, guardSettings);
    server.pause();
    try {
      const started = Date.now();
      const during = [];
      for (let i = 0; i < 7; i++) during.push((await rl.consume('login', '192.0.2.9')).allowed);
      expect(during).toEqual([true, true, true, true, true, false, false]);
      expect(Date.now() - started).toBeLessThan(7 * 1500); // bounded by the timeout, not hanging
      const attempt = { email: 'someone@example.com', ip: '192.0.2.10' };
      for (let i = 0; i < 3; i++) await guard.recordFailure(attempt);
      const refused = await guard.check(attempt).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TesseraError);
    } finally {
      server.resume();
    }
  });
});
