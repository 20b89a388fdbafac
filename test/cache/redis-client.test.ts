import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRedisConnection,
  createRedisConnection,
  reconnectDelay,
  waitForRedisReady,
  type RedisConnection,
} from '../../src/cache/redis-client.js';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.js';
import { freePort } from '../helpers/services.js';

const run = promisify(execFile);

describe('createRedisConnection', () => {
  let dir: string;
  const servers: OwnRedis[] = [];
  const processes: ChildProcess[] = [];
  const connections: RedisConnection[] = [];
  const open = (...args: Parameters<typeof createRedisConnection>) => {
    const c = createRedisConnection(...args);
    connections.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-redis-client-'));
  });

  afterAll(async () => {
    await Promise.all(connections.map((c) => closeRedisConnection(c)));
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('backs off exponentially up to a cap and never gives up', () => {
    const delay = reconnectDelay(1000);
    for (let attempt = 1; attempt < 100; attempt++) {
      const ms = delay(attempt);
      expect(ms).toBeGreaterThan(0);
      expect(ms).toBeLessThanOrEqual(1000);
    }
    expect(delay(1)).toBeLessThanOrEqual(100);
  });

  it('authenticates with the password in the URL (percent-encoded)', async () => {
    const server = await startRedisServer();
    servers.push(server);
    const admin = new Redis(server.url);
    await admin.config('SET', 'requirepass', 'p@ss:w/rd');
    admin.disconnect();
    const good = open(
      { redisUrl: `redis://:${encodeURIComponent('p@ss:w/rd')}@127.0.0.1:${server.port}`, redisTimeout: 500 },
      'command',
    );
    expect(await waitForRedisReady(good, 5000)).toBe(true);
    expect(await good.ping()).toBe('PONG');
    const errors: Error[] = [];
    const bad = open({ redisUrl: `redis://:wrong@127.0.0.1:${server.port}`, redisTimeout: 500 }, 'command', {
      onError: (e) => errors.push(e),
    });
    expect(await waitForRedisReady(bad, 500)).toBe(false);
    await expect(bad.ping()).rejects.toThrow();
    expect(errors.some((e) => /WRONGPASS|invalid/i.test(e.message))).toBe(true);
  });

  it('speaks TLS for rediss:// (with a private CA passed as tls options)', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    const tlsPort = await freePort();
    const server = await startRedisServer([
      '--tls-port',
      String(tlsPort),
      '--tls-cert-file',
      cert,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      cert,
      '--tls-auth-clients',
      'no',
    ]);
    servers.push(server);
    const ca = await readFile(cert);
    const secure = open({ redisUrl: `rediss://127.0.0.1:${tlsPort}`, redisTimeout: 1000 }, 'command', { tls: { ca } });
    expect(await waitForRedisReady(secure, 5000)).toBe(true);
    await secure.set('tls-key', 'over tls');
    const plain = new Redis(server.url);
    expect(await plain.get('tls-key')).toBe('over tls');
    plain.disconnect();
    // without trusting the CA the handshake is refused
    const untrusted = open({ redisUrl: `rediss://127.0.0.1:${tlsPort}`, redisTimeout: 500 }, 'command');
    expect(await waitForRedisReady(untrusted, 700)).toBe(false);
  });

  it('finds the master through Sentinel', async () => {
    const master = await startRedisServer();
    servers.push(master);
    const port = await freePort();
    const conf = join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor tessera-master 127.0.0.1 ${master.port} 1`,
      ].join('\n') + '\n',
    );
    processes.push(spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
    const viaSentinel = open(
      { redisSentinels: [`127.0.0.1:${port}`], redisSentinelName: 'tessera-master', redisTimeout: 1000 },
      'command',
      { maxBackoffMs: 200 },
    );
    expect(await waitForRedisReady(viaSentinel, 10_000)).toBe(true);
    await viaSentinel.set('via-sentinel', 'yes');
    const direct = new Redis(master.url);
    expect(await direct.get('via-sentinel')).toBe('yes');
    direct.disconnect();
  });

  it('refuses to build a connection without any Redis configured', () => {
    expect(() => createRedisConnection({ redisTimeout: 250 }, 'command')).toThrow(/REDIS_URL/);
  });
});
