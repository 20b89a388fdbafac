import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_FIELDS, ConfigError, loadConfig } from '../../src/config/index.js';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { apiClient, newSession, startTestTessera, type TestTessera } from '../helpers/tessera.js';
import { runCli, tempDir } from '../cli/run-cli.js';
import { startServerProcess } from '../helpers/server-process.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('every documented configuration variable is read', () => {
  it('listen address, data dir, database and Redis settings', () => {
    expect(loadConfig({ PORT: '8080', HOST: '::1' })).toMatchObject({ port: 8080, host: '::1' });
    expect(loadConfig({ TESSERA_DATA_DIR: '/var/lib/tessera' }).dataDir).toBe('/var/lib/tessera');
    expect(loadConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/t', DATABASE_POOL_MAX: '7' })).toMatchObject({
      mode: 'scaled',
      databaseUrl: 'postgresql://u:p@db:5432/t',
      databasePoolMax: 7,
    });
    expect(loadConfig({}).databasePoolMax).toBe(20);
    expect(loadConfig({ REDIS_URL: 'rediss://:secret@cache:6380/2' })).toMatchObject({
      mode: 'scaled',
      hasRedis: true,
      redisUrl: 'rediss://:secret@cache:6380/2',
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' 10.0.0.1:7000 , 10.0.0.2:7001' })).toMatchObject({
      hasRedis: true,
      redisClusterNodes: ['10.0.0.1:7000', '10.0.0.2:7001'],
    });
    expect(loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379', REDIS_SENTINEL_NAME: 'mymaster' })).toMatchObject({
      hasRedis: true,
      redisSentinels: ['s1:26379', 's2:26379'],
      redisSentinelName: 'mymaster',
    });
    expect(
      problemsOf({ PORT: '-1', DATABASE_POOL_MAX: '0', REDIS_CLUSTER_NODES: 'nohost', DATABASE_URL: 'mysql://x' }).map(
        (p) => p.split(' ')[0],
      ),
    ).toEqual(['PORT', 'DATABASE_URL', 'DATABASE_POOL_MAX', 'REDIS_CLUSTER_NODES']);
  });

  it('durations: 500ms, 15s, 30m, 7d (and what is refused)', () => {
    const c = loadConfig({
      SESSION_L1_TTL: '500ms',
      SESSION_IDLE_TTL: '15s',
      SESSION_ABSOLUTE_TTL: '7d',
      SESSION_L1_MAX: '5000',
    });
    expect(c).toMatchObject({
      sessionL1Ttl: 500,
      sessionIdleTtl: 15_000,
      sessionAbsoluteTtl: 604_800_000,
      sessionL1Max: 5000,
    });
    expect(loadConfig({ SESSION_IDLE_TTL: '30m' }).sessionIdleTtl).toBe(1_800_000);
    expect(loadConfig({ SESSION_IDLE_TTL: '1500ms' }).sessionIdleTtl).toBe(1500);
    expect(loadConfig({}).sessionL1Ttl).toBe(15_000);
    expect(loadConfig({}).sessionL1Max).toBe(100_000);
    for (const bad of ['30', '30 m', '30min', '-5s', 'm', '']) {
      const problems = problemsOf({ SESSION_ABSOLUTE_TTL: bad || ' ' });
      expect(problems, bad).toHaveLength(1);
      expect(problems[0]).toMatch(/^SESSION_ABSOLUTE_TTL must be a duration such as 500ms, 15s, 30m or 7d/);
    }
  });

  it('TRUST_PROXY: true, false, a hop count or a CIDR list', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'FALSE' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
    expect(problemsOf({ TRUST_PROXY: 'proxy.internal' })[0]).toMatch(/^TRUST_PROXY .*"proxy.internal"/);
  });

  it('admin, alerts and logging', () => {
    expect(
      loadConfig({ TESSERA_ADMIN_EMAIL: 'root@example.test', TESSERA_ADMIN_PASSWORD: 'long enough pw' }),
    ).toMatchObject({ adminEmail: 'root@example.test', adminPassword: 'long enough pw' });
    expect(problemsOf({ TESSERA_ADMIN_EMAIL: 'root@example.test', TESSERA_ADMIN_PASSWORD: 'short' })).toEqual([
      'TESSERA_ADMIN_PASSWORD must be 8 to 256 characters',
    ]);
    expect(
      loadConfig({ TESSERA_ALERT_RULES: './alerts.yaml', TESSERA_ALERT_WEBHOOK: 'https://hooks.example.test/x' }),
    ).toMatchObject({ alertRules: './alerts.yaml', alertWebhook: 'https://hooks.example.test/x' });
    expect(problemsOf({ TESSERA_ALERT_WEBHOOK: 'ftp://x' })[0]).toMatch(/^TESSERA_ALERT_WEBHOOK /);
    expect(loadConfig({}).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(problemsOf({ LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL must be one of/);
  });

  it('every variable is also a serve flag', async () => {
    const help = (await runCli(['serve', '--help'])).stdout;
    const envs = Object.values(CONFIG_FIELDS).map((f) => f.env);
    for (const env of [
      'PORT',
      'HOST',
      'TESSERA_DATA_DIR',
      'DATABASE_URL',
      'DATABASE_POOL_MAX',
      'REDIS_URL',
      'REDIS_CLUSTER_NODES',
      'REDIS_SENTINELS',
      'REDIS_SENTINEL_NAME',
      'SESSION_IDLE_TTL',
      'SESSION_ABSOLUTE_TTL',
      'SESSION_L1_TTL',
      'SESSION_L1_MAX',
      'TRUST_PROXY',
      'TESSERA_ADMIN_EMAIL',
      'TESSERA_ADMIN_PASSWORD',
      'TESSERA_ALERT_RULES',
      'TESSERA_ALERT_WEBHOOK',
      'LOG_LEVEL',
    ]) {
      expect(envs).toContain(env);
    }
    for (const field of Object.values(CONFIG_FIELDS)) expect(help).toContain(`--${field.flag} <value>`);
  });
});

describe('settings take effect in a running server', () => {
  const running: TestTessera[] = [];
  afterAll(() => Promise.all(running.map((s) => s.stop())));
  const start = async (env: Record<string, string>) => {
    const server = await startTestTessera(env);
    running.push(server);
    return { server, api: apiClient(server.url) };
  };
  const sessionIp = async (api: ReturnType<typeof apiClient>, forwardedFor: string) => {
    const { token } = await newSession(api, { headers: { 'x-forwarded-for': forwardedFor } });
    return (await api('GET', '/v1/auth/sessions', undefined, { token })).body.sessions[0].ip as string;
  };

  it('TRUST_PROXY decides whether X-Forwarded-For names the client', async () => {
    const [off, on, cidr, otherCidr] = await Promise.all([
      start({}),
      start({ TRUST_PROXY: 'true' }),
      start({ TRUST_PROXY: '127.0.0.1/32' }),
      start({ TRUST_PROXY: '10.0.0.0/8' }),
    ]);
    expect(await sessionIp(off.api, '203.0.113.7')).toBe('127.0.0.1');
    expect(await sessionIp(on.api, '198.51.100.1, 203.0.113.7')).toBe('198.51.100.1');
    expect(await sessionIp(cidr.api, '203.0.113.7')).toBe('203.0.113.7'); // the peer (127.0.0.1) is trusted
    expect(await sessionIp(otherCidr.api, '203.0.113.7')).toBe('127.0.0.1'); // the peer is not in the trusted range
  });

  it('TRUST_PROXY as a hop count trusts that many proxies', async () => {
    const { api } = await start({ TRUST_PROXY: '1' });
    expect(await sessionIp(api, '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7'); // one hop: what the last proxy saw
  });

  it('serve flags win over the environment (PORT=abc is not even read when --port is given)', async () => {
    const server = await startServerProcess({ PORT: 'abc', HOST: '::invalid', TESSERA_DATA_DIR: tempDir('flags') }, [
      '--host',
      '127.0.0.1',
    ]);
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('SESSION_IDLE_TTL and SESSION_ABSOLUTE_TTL shape the expiries a login returns', async () => {
    const { api } = await start({ SESSION_IDLE_TTL: '15s', SESSION_ABSOLUTE_TTL: '30m' });
    const before = Date.now();
    const { login } = await newSession(api);
    const idle = Date.parse(login.body.idleExpiresAt) - before;
    const absolute = Date.parse(login.body.expiresAt) - before;
    expect(idle).toBeGreaterThan(14_000);
    expect(idle).toBeLessThan(16_000);
    expect(absolute).toBeGreaterThan(29 * 60_000);
    expect(absolute).toBeLessThan(31 * 60_000);
  });
});

describeWith(['postgres'], 'TESSERA_ADMIN_EMAIL / TESSERA_ADMIN_PASSWORD', () => {
  it('create the admin at start, even with three instances starting at once, and update its password later', async () => {
    const db = await createTestDatabase();
    const env = {
      DATABASE_URL: db.url,
      TESSERA_ADMIN_EMAIL: 'Admin@Example.test',
      TESSERA_ADMIN_PASSWORD: 'first admin pw',
    };
    try {
      const started = await Promise.allSettled([startTestTessera(env), startTestTessera(env), startTestTessera(env)]);
      const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      await Promise.all(servers.map((s) => s.stop()));
      expect(started.map((r) => (r.status === 'rejected' ? String(r.reason) : 'started'))).toEqual([
        'started',
        'started',
        'started',
      ]);

      const again = await startTestTessera({ ...env, TESSERA_ADMIN_PASSWORD: 'second admin pw' });
      try {
        const api = apiClient(again.url);
        expect(
          (await api('POST', '/v1/auth/login', { email: 'admin@example.test', password: 'first admin pw' })).status,
        ).toBe(401);
        const login = await api('POST', '/v1/auth/login', { email: 'admin@example.test', password: 'second admin pw' });
        expect(login.status).toBe(200);
        expect(login.body.user.roles).toContain('admin');
        expect(await again.runtime.store.users.search({ email: 'admin@example.test', limit: 10 })).toHaveLength(1);
      } finally {
        await again.stop();
      }
    } finally {
      await db.drop();
    }
  });
});
