import { figuresColumns, figuresRow } from '../report.js';
import { benchKeyPrefix, deleteRedisPrefix, redisReachable } from '../services.js';
import type { BenchSettings, SuiteResult } from '../types.js';
import type { Suite } from './types.js';
import { measureVariants, type Variant } from './variants.js';

/** The peers are devDependencies: a production install has no express. */
function expressInstalled(): boolean {
  try {
    for (const name of ['express', 'express-session', 'connect-redis']) import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The same validation on Tessera and on the usual peers, with bare node:http and Fastify as reference points. */
export const peersSuite: Suite = {
  name: 'peers',
  description:
    'session validation on Tessera vs express-session (+ connect-redis), with bare Fastify and node:http as references',
  async run(settings: BenchSettings): Promise<SuiteResult> {
    const skipped: string[] = [];
    const redis = await redisReachable(settings.redisUrl);
    const tesseraPrefix = benchKeyPrefix('peers-t');
    const expressPrefix = benchKeyPrefix('peers-e');
    const payload = (captured: string): unknown => JSON.parse(captured);
    const express = expressInstalled();
    const variants: Variant[] = [
      { name: 'tessera (L1)', spec: { kind: 'tessera', env: {} } },
      { name: 'node:http (same bytes)', spec: (first) => ({ kind: 'bare-http', response: first.info.captured! }) },
      { name: 'fastify (same bytes)', spec: (first) => ({ kind: 'bare-fastify', response: first.info.captured! }) },
    ];
    variants.push({
      name: 'lucia-style (sha256 + one SQLite join)',
      spec: (first) => ({ kind: 'lucia-style', response: first.info.captured! }),
    });
    if (express)
      variants.push({
        name: 'express-session (MemoryStore)',
        spec: (first) => ({
          kind: 'express-session',
          keyPrefix: expressPrefix,
          payload: payload(first.info.captured!.body),
        }),
      });
    else skipped.push('express-session peers: install express, express-session and connect-redis to measure them');
    if (redis) {
      variants.push({
        name: 'tessera (L2 Redis, L1 off)',
        spec: {
          kind: 'tessera',
          env: { SESSION_L1_MAX: '0', REDIS_URL: settings.redisUrl!, REDIS_KEY_PREFIX: tesseraPrefix },
        },
      });
      if (express)
        variants.push({
          name: 'express-session + connect-redis',
          spec: (first) => ({
            kind: 'express-session',
            redisUrl: settings.redisUrl!,
            keyPrefix: expressPrefix,
            payload: payload(first.info.captured!.body),
          }),
        });
    } else
      skipped.push(
        `Redis-backed peers: ${settings.redisUrl ? `Redis at ${settings.redisUrl} not reachable` : 'REDIS_URL not set'}`,
      );
    try {
      const { figures } = await measureVariants(variants, settings);
      const bare = figures.find((f) => f.name.startsWith('node:http'))!;
      return {
        suite: 'peers',
        title: 'Peers: the same session validation on other stacks',
        columns: figuresColumns('÷ node:http'),
        rows: figures.map((f) => figuresRow(f, bare)),
        summary: { targets: figures },
        notes: [
          'express-session: resave false, saveUninitialized false, signed cookie; it touches the store (EXPIRE) on every request by default.',
          "Each peer returns the same JSON body as Tessera; bare node:http, Fastify and the Lucia-style peer replay Tessera's exact bytes.",
          'lucia-style: node:http, the SHA-256 of the bearer token is the session id, one prepared query joins session and user (better-sqlite3, in memory).',
          `Every session-validating target cycles through ${settings.sessions} distinct sessions (--sessions).`,
          'better-auth getSession is not measured: it is not a dependency of this project (see bench/RESULTS.md).',
        ],
        skipped,
      };
    } finally {
      if (redis) {
        await deleteRedisPrefix(settings.redisUrl!, tesseraPrefix).catch(() => {});
        await deleteRedisPrefix(settings.redisUrl!, expressPrefix).catch(() => {});
      }
    }
  },
};
