import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { CacheStack } from '../cache/stack.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { PermissionResolver } from '../auth/permissions.js';
import type { Store } from '../store/types.js';
import { AdaptiveTtl } from './adaptive-ttl.js';
import { ChangeFeed } from './change-feed.js';
import { createStoreLoader } from './load-from-store.js';
import { SessionCache, type ChangeWatch, type L1Value } from './session-cache.js';
import { SessionManager } from './session-manager.js';
import { SessionToucher } from './touch-session.js';
import type { SessionObserver } from './types.js';

export type SessionCoreConfig = Pick<
  Config,
  | 'sessionIdleTtl'
  | 'sessionAbsoluteTtl'
  | 'sessionL1Ttl'
  | 'sessionL2Ttl'
  | 'sessionNegativeTtl'
  | 'sessionTtlAdaptive'
  | 'sessionL1TtlMin'
  | 'sessionL1TtlMax'
  | 'sessionL2TtlMin'
  | 'sessionL2TtlMax'
  | 'sessionL1Max'
  | 'sessionRotationGrace'
  | 'sessionChangePoll'
  | 'faultFillDelay'
  | 'sessionLegacyTokens'
>;

export interface SessionCoreDeps {
  store: Store;
  stack: CacheStack<L1Value>;
  permissions: PermissionResolver;
  audit: AuditLog;
  observer: SessionObserver;
  logger: Logger;
  /** Other processes share the database (scaled mode, or `serve --workers`): read the change log. */
  shared: boolean;
}

export interface SessionCore {
  sessions: SessionManager;
  cache: SessionCache;
  /** The change-log reader; undefined when no other process can change sessions. */
  feed: ChangeFeed | undefined;
  close(): Promise<void>;
}

const FENCE_MARGIN_MS = 60_000;

type CacheLifetimeConfig = Pick<
  Config,
  'sessionL1Ttl' | 'sessionL2Ttl' | 'sessionNegativeTtl' | 'sessionTtlAdaptive' | 'sessionL1TtlMax' | 'sessionL2TtlMax'
>;

/** How long a fence (and the change log's first read) must reach back: the longest any tier can hold a copy, plus a margin. */
const fenceRetentionMs = (config: CacheLifetimeConfig): number => {
  const l1 = config.sessionTtlAdaptive ? Math.max(config.sessionL1Ttl, config.sessionL1TtlMax) : config.sessionL1Ttl;
  const l2 = config.sessionTtlAdaptive ? Math.max(config.sessionL2Ttl, config.sessionL2TtlMax) : config.sessionL2Ttl;
  return Math.max(l2, l1, config.sessionNegativeTtl) + FENCE_MARGIN_MS;
};

/** Builds the session core on a cache stack: cache, change feed, store loader, toucher, manager with its validator. */
export function createSessionCore(config: SessionCoreConfig, deps: SessionCoreDeps): SessionCore {
  const { store, stack, observer, logger } = deps;
  const retentionMs = fenceRetentionMs(config);
  let feed: ChangeFeed | undefined;
  const { bus } = stack;
  const watch: ChangeWatch = {
    get logReady() {
      return feed === undefined || feed.ready;
    },
    // Known up to the change log's last read; and up to the bus's newest echo when the bus reaches the other
    // instances and its unbroken delivery joins what the log covers (a gap while it was lost is the log's to fill).
    // With neither a change log nor a shared bus, nothing else can change sessions.
    vouchedAt: (now) => {
      if (!bus.spansInstances) return feed ? feed.lastReadStartedAt : now;
      const logAt = feed ? feed.lastReadStartedAt : Infinity;
      return bus.vouchedSince <= logAt ? Math.max(bus.vouchedAt, feed ? logAt : -Infinity) : logAt;
    },
  };
  const cache = new SessionCache(
    stack,
    watch,
    {
      l2TtlMs: config.sessionL2Ttl,
      negativeTtlMs: config.sessionNegativeTtl,
      keyPrefix: 'sess:',
      fenceRetentionMs: retentionMs,
      adaptiveTtl: config.sessionTtlAdaptive
        ? new AdaptiveTtl({
            l1: { minMs: config.sessionL1TtlMin, maxMs: config.sessionL1TtlMax },
            l2: { minMs: config.sessionL2TtlMin, maxMs: config.sessionL2TtlMax },
            trackedKeys: Math.max(1000, config.sessionL1Max),
          })
        : undefined,
    },
    logger,
  );
  if (deps.shared) {
    feed = new ChangeFeed({
      sessions: store.sessions,
      pollIntervalMs: config.sessionChangePoll,
      lookbackMs: retentionMs,
      apply: (revisions, now) => cache.applyRevisions(revisions, now),
      logger,
    });
    feed.start();
  }
  const toucher = new SessionToucher(store, cache, config.sessionIdleTtl, observer, logger);
  const sessions = new SessionManager(
    {
      store,
      cache,
      audit: deps.audit,
      toucher,
      observer,
      createLoader: (onTokenReuse) =>
        createStoreLoader({
          store,
          permissions: deps.permissions,
          observer,
          rotationGraceMs: config.sessionRotationGrace,
          onTokenReuse,
        }),
    },
    {
      idleTtlMs: config.sessionIdleTtl,
      absoluteTtlMs: config.sessionAbsoluteTtl,
      faultFillDelayMs: config.faultFillDelay,
      acceptLegacyTokens: config.sessionLegacyTokens,
    },
  );
  return { sessions, cache, feed, close: async () => feed?.stop() };
}

/** How long change-log rows must be kept: every instance's first read looks back this far. */
export const changeLogRetentionMs = (config: CacheLifetimeConfig): number => fenceRetentionMs(config) + FENCE_MARGIN_MS;
