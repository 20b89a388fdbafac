import type { TargetFigures } from '../interleave.js';
import { createServiceKey, UPSTREAM_ADMIN_ENV } from '../client-upstream.js';
import { measureRevocationDelay, type DelayFigures } from '../client-revocation-delay.js';
import { measureStreamCost, type StreamCostFigures } from '../stream-cost.js';
import { benchKeyPrefix, createBenchDatabase, deleteRedisPrefix, redisReachable } from '../services.js';
import { startTarget, stopAll, type TargetHandle } from '../targets.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import type { Suite } from './types.js';
import { measureVariants, type Variant } from './variants.js';

const LOGOUTS = 120;
const STREAMS = 200;

function peersInstalled(): boolean {
  try {
    for (const name of ['express', 'express-session', 'connect-redis', '@tessera/client']) import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

const perCpuSecond = (f: TargetFigures): number | null =>
  f.cpuMicrosPerRequest ? Math.round(1e6 / f.cpuMicrosPerRequest) : null;

/**
 * An application validating sessions three ways, side by side: through @tessera/client, calling Tessera's
 * GET /v1/auth/session itself, and on express-session + connect-redis; on Express and on Fastify. Then the
 * revocation delay to an app connected to another instance, and what 200 connected streams cost the server.
 */
export const clientSuite: Suite = {
  name: 'client',
  description:
    'an app on @tessera/client vs the same app on express-session + connect-redis vs calling Tessera over HTTP (Express, Fastify); revocation delay; 200 streams',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const skipped: string[] = [];
    const notes: string[] = [];
    if (!peersInstalled())
      return {
        suite: 'client',
        title: 'Application clients',
        columns: [],
        rows: [],
        notes,
        skipped: ['install the devDependencies (express, express-session, connect-redis) and build @tessera/client'],
      };
    const redis = await redisReachable(settings.redisUrl);
    const expressPrefix = benchKeyPrefix('client-e');
    const started: TargetHandle[] = [];
    let figures: TargetFigures[] = [];
    let streamCost: StreamCostFigures | undefined;
    try {
      settings.log('  starting tessera (upstream of the apps)');
      const upstream = await startTarget('tessera upstream', { kind: 'tessera', env: UPSTREAM_ADMIN_ENV }, settings);
      started.push(upstream);
      const tesseraUrl = new URL(upstream.info.url).origin;
      const token = upstream.info.headers.authorization.slice('Bearer '.length);
      const serviceKey = await createServiceKey(tesseraUrl, 'bench-client-suite');
      const app = (framework: 'express' | 'fastify', mode: 'client' | 'http') => ({
        kind: 'client-app' as const,
        framework,
        mode,
        tesseraUrl,
        serviceKey,
        token,
      });
      const variants: Variant[] = [
        { name: 'express + @tessera/client', spec: app('express', 'client') },
        { name: 'express + GET /v1/auth/session', spec: app('express', 'http') },
        { name: 'fastify + @tessera/client', spec: app('fastify', 'client') },
        { name: 'fastify + GET /v1/auth/session', spec: app('fastify', 'http') },
      ];
      if (redis)
        variants.splice(2, 0, {
          name: 'express-session + connect-redis',
          spec: {
            kind: 'express-session',
            redisUrl: settings.redisUrl!,
            keyPrefix: expressPrefix,
            payload: JSON.parse(upstream.info.captured!.body),
          },
        });
      else skipped.push('express-session + connect-redis: no Redis reachable (REDIS_URL)');
      figures = (await measureVariants(variants, settings)).figures;
      settings.log(`  ${STREAMS} revocation streams on the upstream`);
      streamCost = await measureStreamCost(upstream, serviceKey, STREAMS, Math.max(3, settings.durationSec));
    } finally {
      await stopAll(started);
    }
    const delay = await revocationDelay(settings, skipped);
    if (redis) await deleteRedisPrefix(settings.redisUrl!, expressPrefix).catch(() => {});

    const peer = figures.find((f) => f.name === 'express-session + connect-redis');
    const peerPerCpu = peer ? perCpuSecond(peer) : null;
    const byName = new Map(figures.map((f) => [f.name, f]));
    const ratioToPeer = (name: string): number | null => {
      const f = byName.get(name);
      const v = f ? perCpuSecond(f) : null;
      return v && peerPerCpu ? Math.round((v / peerPerCpu) * 100) / 100 : null;
    };
    notes.push(
      'App CPU is the application process only (Tessera runs in its own process); req per CPU-second = 1e6 / app CPU µs per request.',
      'Every app answers the same JSON ({session, user}) for a Bearer token; express-session answers it from its Redis session.',
      `Revocation delay: ${LOGOUTS} logouts on instance A, timed from sending the logout until the app's client (connected to instance B) stops answering the session from memory.`,
      `Stream cost: ${STREAMS} revocation streams connected to one instance (heartbeats every 250 ms), server CPU against the same server idle.`,
    );
    return {
      suite: 'client',
      title: 'Application clients: validation inside the app',
      columns: [
        ['target', 'target'],
        ['reqPerSec', 'req/s'],
        ['p99Ms', 'p99 ms'],
        ['cpu', 'app CPU µs/req'],
        ['perCpuSecond', 'req per CPU-s'],
        ['ratio', '÷ express-session'],
        ['failed', 'non-2xx/errors'],
      ],
      rows: figures.map((f) => ({
        target: f.name,
        reqPerSec: f.reqPerSec,
        p99Ms: f.p99Ms,
        cpu: f.cpuMicrosPerRequest ?? null,
        perCpuSecond: perCpuSecond(f),
        ratio: ratioToPeer(f.name),
        failed: f.non2xx + f.errors,
      })),
      summary: {
        targets: figures,
        clientVsExpressSession: {
          express: ratioToPeer('express + @tessera/client'),
          fastify: ratioToPeer('fastify + @tessera/client'),
        },
        revocationDelay: delay,
        streamCost,
      },
      notes: [
        ...notes,
        delay
          ? `revocation delay A → app on B: p50 ${delay.p50Ms} ms, p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms over ${delay.samples} logouts, the logout's own round trip p50 ${delay.logoutP50Ms} ms included (${delay.untrusted} taken while untrusted, left out); a cached validate in the app: ${delay.hitNs} ns`
          : 'revocation delay: not measured',
        streamCost
          ? `${streamCost.streams} streams: server CPU ${streamCost.withStreamsCpuMsPerSec} ms/s vs ${streamCost.idleCpuMsPerSec} ms/s idle; ${streamCost.framesPerSec} frames/s written`
          : 'stream cost: not measured',
      ],
      skipped,
    };
  },
};

/** Two instances on a private PostgreSQL database and Redis; an app's client on B; logouts on A. */
async function revocationDelay(settings: BenchSettings, skipped: string[]): Promise<DelayFigures | undefined> {
  if (!settings.databaseUrl || !(await redisReachable(settings.redisUrl))) {
    skipped.push('revocation delay across instances: needs DATABASE_URL (PostgreSQL) and REDIS_URL');
    return undefined;
  }
  const db = await createBenchDatabase(settings.databaseUrl, 'client');
  if ('error' in db) {
    skipped.push(`revocation delay across instances: ${db.error}`);
    return undefined;
  }
  const prefix = benchKeyPrefix('client-r');
  const generous = {
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_LOGIN_PER_MIN: '1000000',
    RATE_LIMIT_USER_PER_MIN: '1000000',
  };
  const env = {
    ...UPSTREAM_ADMIN_ENV,
    ...generous,
    DATABASE_URL: db.url,
    REDIS_URL: settings.redisUrl!,
    REDIS_KEY_PREFIX: prefix,
  };
  const instances: TargetHandle[] = [];
  try {
    settings.log('  starting instances A and B (PostgreSQL + Redis)');
    for (const name of ['instance A', 'instance B'])
      instances.push(await startTarget(name, { kind: 'tessera', env }, settings));
    const [a, b] = instances.map((t) => new URL(t.info.url).origin);
    const key = await createServiceKey(a, 'bench-revocation-delay');
    return await measureRevocationDelay(a, b, key, LOGOUTS, settings.log);
  } finally {
    await stopAll(instances);
    await db.drop().catch(() => {});
    await deleteRedisPrefix(settings.redisUrl!, prefix).catch(() => {});
  }
}
