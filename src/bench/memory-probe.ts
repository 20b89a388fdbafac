/**
 * Forked with --expose-gc by the memory suite: fills the real session cache (L1 + tag index) with N
 * realistic entries and reports heap growth per entry, without and with the memoised response body.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { DEFAULT_TENANT } from '../auth/normalize.js';
import { createL1Cache, createLocalBus } from '../cache/index.js';
import { SessionCache, type L1Value } from '../sessions/session-cache.js';
import { generateToken, hashToken } from '../sessions/token.js';
import { toSessionView } from '../sessions/views.js';
import type { SessionEntry } from '../sessions/types.js';

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i += 1) gc!();
  return process.memoryUsage().heapUsed;
}

function entry(now: number, i: number): SessionEntry {
  const userId = randomUUID();
  return {
    tokenHash: hashToken(generateToken()),
    session: {
      id: generateToken().slice(4),
      userId,
      tenant: DEFAULT_TENANT,
      tokenHash: '',
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + 7 * 86_400_000,
      idleExpiresAt: now + 1_800_000,
      revokedAt: null,
      revokeReason: null,
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
      data: {},
      version: 1,
      revision: 1,
    },
    user: {
      id: userId,
      email: `user-${i}@example.com`,
      name: `User ${i}`,
      tenant: DEFAULT_TENANT,
      roles: ['user'],
      permissions: ['session:read', 'session:write'],
      createdAt: new Date(now).toISOString(),
    },
  };
}

process.once('message', ({ entries }: { entries: number }) => {
  if (!gc) {
    process.send!({ error: 'run with --expose-gc' }, () => process.exit(1));
    return;
  }
  const l1 = createL1Cache<L1Value>({ max: entries, ttlMs: 3_600_000 });
  const cache = new SessionCache(
    { l1, l2: undefined, bus: createLocalBus() },
    { logReady: true, vouchedAt: (now) => now },
    { l2TtlMs: 600_000, negativeTtlMs: 5000, keyPrefix: 'sess:', fenceRetentionMs: 660_000 },
    pino({ level: 'silent' }),
  );
  const now = Date.now();
  const before = heapAfterGc();
  const stored: SessionEntry[] = [];
  for (let i = 0; i < entries; i += 1) {
    const e = entry(now, i);
    e.session.tokenHash = e.tokenHash;
    cache.store(e, now);
    stored.push(e);
  }
  // `stored` keeps only references (8 bytes each), measured and subtracted below.
  const filled = heapAfterGc();
  for (const e of stored) e.body = JSON.stringify({ session: toSessionView(e.session), user: e.user });
  const withBody = heapAfterGc();
  const refs = entries * 8;
  process.send!(
    {
      entries,
      bytesPerEntry: Math.round((filled - before - refs) / entries),
      bytesPerEntryWithBody: Math.round((withBody - before - refs) / entries),
      bodyBytes: Buffer.byteLength(stored[0].body!),
      heapBytes: { before, filled, withBody },
      cached: cache.peek(stored[entries - 1].tokenHash, Date.now()) !== undefined,
    },
    () => process.exit(0),
  );
});
