import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createStore } from '../../src/store/create-store.js';
import type { SessionRecord, Store } from '../../src/store/types.js';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { runCli, tempDir } from './run-cli.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Seeds sessions in every state straight through the store API, with expiries relative to now. */
async function seed(store: Store) {
  const now = Date.now();
  const user = await store.users.create(
    {
      tenant: 'default',
      email: `cleanup-${randomUUID()}@example.test`,
      name: null,
      passwordHash: '$argon2id$x',
      roles: ['user'],
    },
    now,
  );
  const session = (overrides: Partial<SessionRecord>): SessionRecord => ({
    id: randomUUID(),
    userId: user.id,
    tenant: 'default',
    tokenHash: createHash('sha256').update(randomBytes(16)).digest('hex'),
    createdAt: now - 2 * DAY,
    lastSeenAt: now - HOUR,
    expiresAt: now + 5 * DAY,
    idleExpiresAt: now + HOUR,
    revokedAt: null,
    revokeReason: null,
    ip: null,
    userAgent: null,
    data: {},
    version: 1,
    revision: 1,
    ...overrides,
  });
  const rows = [
    ...Array.from({ length: 4 }, () => session({ idleExpiresAt: now - HOUR })), // idle-expired
    ...Array.from({ length: 3 }, () => session({ expiresAt: now - 1000, idleExpiresAt: now - 1000 })), // past the absolute lifetime
    ...Array.from({ length: 2 }, () => session({ revokedAt: now - 2 * DAY, revokeReason: 'logout' })), // revoked long ago
    session({ revokedAt: now - 60_000, revokeReason: 'logout' }), // revoked a minute ago: kept for audit (1d retention)
    ...Array.from({ length: 5 }, () => session({})), // live
  ];
  for (const row of rows) await store.sessions.insert(row);
  // A rotated-out token of an expired session goes with it.
  await store.sessions.rotate(
    rows[0].id,
    rows[0].tokenHash,
    createHash('sha256').update('next').digest('hex'),
    now - 2 * HOUR,
    now - HOUR,
  );
  return { deletable: 9, kept: 6, retiredHash: rows[0].tokenHash };
}

function cleanupSuite(
  dialect: string,
  open: () => Promise<{ store: Store; env: Record<string, string>; dispose: () => Promise<void> }>,
) {
  let fixture: Awaited<ReturnType<typeof open>>;
  beforeAll(async () => {
    fixture = await open();
  });
  afterAll(() => fixture?.dispose());

  it(`${dialect}: --dry-run prints what would go and deletes nothing; then a real run with --batch-size deletes it`, async () => {
    const { store, env } = fixture;
    const { deletable, kept, retiredHash } = await seed(store);
    const before = await store.sessions.countByState(Date.now());
    expect(before.active + before.expired + before.revoked).toBe(deletable + kept);

    const dry = await runCli(['sessions', 'cleanup', '--dry-run'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(`would delete ${deletable} session(s); ${kept} remaining\n`);
    expect(await store.sessions.countByState(Date.now())).toEqual(before);
    expect(await store.sessions.findRetiredToken(retiredHash)).toBeDefined();

    const real = await runCli(['sessions', 'cleanup', '--batch-size', '2'], { env });
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toBe(`deleted ${deletable} session(s); ${kept} remaining\n`);
    const after = await store.sessions.countByState(Date.now());
    expect(after).toEqual({ active: 5, expired: 0, revoked: 1 });
    expect(await store.sessions.findRetiredToken(retiredHash)).toBeUndefined();

    const again = await runCli(['sessions', 'cleanup'], { env });
    expect(again.stdout).toBe(`deleted 0 session(s); ${kept} remaining\n`);
  });

  it(`${dialect}: --cleanup-revoked-retention decides how long revoked sessions are kept`, async () => {
    const { store, env } = fixture;
    const result = await runCli(['sessions', 'cleanup', '--cleanup-revoked-retention', '1s'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('deleted 1 session(s); 5 remaining\n');
    expect((await store.sessions.countByState(Date.now())).revoked).toBe(0);
  });
}

describe('tessera sessions cleanup on SQLite', () => {
  cleanupSuite('sqlite', async () => {
    const dir = tempDir('cleanup');
    const store = await createStore(loadConfig({ TESSERA_DATA_DIR: dir }));
    await store.migrate();
    return { store, env: { TESSERA_DATA_DIR: dir }, dispose: () => store.close() };
  });
});

describeWith(['postgres'], 'tessera sessions cleanup on PostgreSQL', () => {
  cleanupSuite('postgres', async () => {
    const db = await createTestDatabase();
    const store = await createStore(loadConfig({ DATABASE_URL: db.url, DATABASE_POOL_MAX: '2' }));
    await store.migrate();
    return {
      store,
      env: { DATABASE_URL: db.url },
      dispose: async () => {
        await store.close();
        await db.drop();
      },
    };
  });
});
