import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ConfigError, loadConfig, parseDuration } from '../../src/config/index.js';

describe('parseDuration', () => {
  it('reads the units the spec lists', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('7d')).toBe(604_800_000);
  });
  it('rejects anything else', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const ms = parseDuration(s);
        return ms === undefined || /^\s*\d+(\.\d+)?(ms|s|m|h|d)\s*$/.test(s);
      }),
    );
  });
});

describe('loadConfig', () => {
  it('defaults to embedded mode on 127.0.0.1:3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      mode: 'embedded',
      port: 3000,
      host: '127.0.0.1',
      dataDir: './.tessera',
      hasRedis: false,
    });
    expect(c.sessionIdleTtl).toBe(30 * 60_000);
    expect(c.sessionAbsoluteTtl).toBe(7 * 86_400_000);
    expect(c.debugHeaders).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('is scaled when DATABASE_URL or REDIS_URL is set', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).mode).toBe('scaled');
    expect(loadConfig({ DATABASE_URL: 'postgres://x@h/db' }).mode).toBe('scaled');
    expect(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' }).redisClusterNodes).toEqual([
      '127.0.0.1:7000',
      '127.0.0.1:7001',
    ]);
  });
  it('turns debug headers off in production unless asked', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).debugHeaders).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DEBUG_HEADERS: 'true' }).debugHeaders).toBe(true);
  });
  it('lets flags win over the environment', () => {
    expect(loadConfig({ PORT: '4000' }, { port: '5000' }).port).toBe(5000);
  });
  it('collects one line per bad variable, naming it', () => {
    try {
      loadConfig({ PORT: 'abc', SESSION_IDLE_TTL: '10 minutes', REDIS_URL: 'http://x', TRUST_PROXY: 'maybe?' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems[0]).toMatch(/^PORT /);
      expect(problems.some((p) => p.startsWith('SESSION_IDLE_TTL '))).toBe(true);
      expect(problems.some((p) => p.startsWith('REDIS_URL '))).toBe(true);
      expect(problems.some((p) => p.startsWith('TRUST_PROXY '))).toBe(true);
    }
  });
  it('accepts sub-second session lifetimes (durations such as 500ms)', () => {
    expect(loadConfig({ SESSION_IDLE_TTL: '500ms', SESSION_ABSOLUTE_TTL: '900ms' })).toMatchObject({
      sessionIdleTtl: 500,
      sessionAbsoluteTtl: 900,
    });
  });
  it('checks fields against each other', () => {
    expect(() => loadConfig({ SESSION_IDLE_TTL: '2d', SESSION_ABSOLUTE_TTL: '1d' })).toThrow(/SESSION_ABSOLUTE_TTL/);
    expect(() => loadConfig({ TESSERA_ADMIN_EMAIL: 'a@b.c' })).toThrow(/TESSERA_ADMIN_PASSWORD/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'h:26379' })).toThrow(/REDIS_SENTINEL_NAME/);
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('keeps each origin as a browser writes it in Origin (default port and trailing slash dropped)', () => {
    expect(
      loadConfig({ ALLOWED_ORIGINS: 'https://App.Example.test/, http://localhost:5173, https://a.example.test:443' })
        .allowedOrigins,
    ).toEqual(['https://app.example.test', 'http://localhost:5173', 'https://a.example.test']);
  });
  it('refuses what is not an origin', () => {
    for (const bad of ['app.example.test', 'https://app.example.test/login', 'ftp://x.test', 'https://u@x.test'])
      expect(() => loadConfig({ ALLOWED_ORIGINS: bad }), bad).toThrow(/ALLOWED_ORIGINS/);
  });
});
