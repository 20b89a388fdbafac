import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig, stillOpenInProduction } from '../../src/config/index.js';
import { TargetScraper } from '../../src/loadtest/monitor/target.js';
import { startTestTessera, type TestTessera } from '../helpers/tessera.js';

/** A Tessera whose warnings are kept: [{setting, msg}, …]. */
async function startLogged(
  env: Record<string, string>,
): Promise<{ server: TestTessera; warnings: Array<{ setting?: string; msg: string }> }> {
  const warnings: Array<{ setting?: string; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: number; setting?: string; msg: string };
        if (entry.level === 40) warnings.push({ setting: entry.setting, msg: entry.msg });
      }
      done();
    },
  });
  const server = await startTestTessera(env, { logger: pino({ level: 'warn' }, sink) });
  return { server, warnings };
}

async function withServer<T>(env: Record<string, string>, body: (server: TestTessera) => Promise<T>): Promise<T> {
  const server = await startTestTessera(env);
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

describe('/metrics in production', () => {
  it('answers 401 without METRICS_TOKEN, in the one error shape', async () => {
    await withServer({ NODE_ENV: 'production' }, async (server) => {
      const res = await fetch(`${server.url}/metrics`);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthenticated');
      expect(body.error.message).toContain('METRICS_TOKEN');
      // A made-up token does not open it either.
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer x' } })).status).toBe(401);
    });
  });

  it('answers with the token once METRICS_TOKEN is set; the load tester scrapes with it', async () => {
    await withServer({ NODE_ENV: 'production', METRICS_TOKEN: 'scrape-me-please' }, async (server) => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-me-please' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('tessera_');

      const withToken = new TargetScraper(`${server.url}/metrics`, 60_000, 'scrape-me-please');
      withToken.start();
      expect((await withToken.stop()).scraped).toBe(true);
      const without = new TargetScraper(`${server.url}/metrics`, 60_000);
      without.start();
      const report = await without.stop();
      expect(report.scraped).toBe(false);
      expect(report.note).toContain('401');
    });
  });

  it('stays open outside production when no token is set (development, tests)', async () => {
    await withServer({}, async (server) => {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
    });
  });
});

describe('DOCS_ENABLED', () => {
  it('serves /docs by default and answers 404 when off', async () => {
    await withServer({}, async (server) => {
      expect((await fetch(`${server.url}/docs`)).status).toBe(200);
    });
    await withServer({ DOCS_ENABLED: 'false' }, async (server) => {
      const res = await fetch(`${server.url}/docs`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    });
  });
});

describe('start-up warnings about what is still open in production', () => {
  it('names each open setting at start', async () => {
    const { server, warnings } = await startLogged({ NODE_ENV: 'production' });
    try {
      const settings = warnings.map((w) => w.setting);
      for (const setting of ['METRICS_TOKEN', 'DOCS_ENABLED', 'COOKIE_SECURE', 'TRUST_PROXY'])
        expect(settings, setting).toContain(setting);
      expect(warnings.every((w) => w.msg.startsWith('production: '))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('is quiet once they are closed, and outside production', async () => {
    const hardened = {
      NODE_ENV: 'production',
      METRICS_TOKEN: 'scrape-me-please',
      DOCS_ENABLED: 'false',
      COOKIE_SECURE: 'true',
      TRUST_PROXY: '10.0.0.1',
    };
    const { server, warnings } = await startLogged(hardened);
    try {
      expect(warnings.filter((w) => w.setting !== undefined)).toEqual([]);
    } finally {
      await server.stop();
    }
    expect(stillOpenInProduction(loadConfig({}))).toEqual([]);
    expect(
      stillOpenInProduction(
        loadConfig({ ...hardened, TRUST_PROXY: 'true', PROTECTION_ENABLED: 'false', MAX_CONNECTIONS_PER_IP: '0' }),
      ).map((o) => o.setting),
    ).toEqual(['TRUST_PROXY', 'PROTECTION_ENABLED', 'MAX_CONNECTIONS_PER_IP']);
  });
});
