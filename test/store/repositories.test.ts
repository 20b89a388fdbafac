import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { TesseraError } from '../../src/errors/index.js';
import { ADMIN_PERMISSIONS, USER_PERMISSIONS } from '../../src/store/migrations/0001_initial.js';
import type { Store } from '../../src/store/types.js';
import { describeWith } from '../helpers/services.js';
import { postgresFactory, sqliteFactory, type StoreFactory, type StoreFixture } from './factories.js';
import { HOUR, T0, hashOf, insertSession, makeUser, randomHash } from './fixtures.js';
import { columnNames, dbOf, indexNames } from './introspect.js';

/** One suite, every dialect: the contract in src/store/types.ts must hold the same on SQLite and PostgreSQL. */
function useStore(factory: StoreFactory): () => Store {
  let fixture: StoreFixture | undefined;
  beforeAll(async () => {
    fixture = await factory.create();
  });
  afterAll(async () => {
    await fixture?.dispose();
  });
  return () => fixture!.store;
}

function repositorySuite(factory: StoreFactory): void {
  const store = useStore(factory);

  describe('store', () => {
    it('reports its dialect, answers ping and has a size', async () => {
      expect(store().dialect).toBe(factory.dialect);
      await expect(store().ping()).resolves.toBeUndefined();
      expect(await store().sizeBytes()).toBeGreaterThan(0);
    });
  });

  describe('migrations', () => {
    it('are idempotent: a second run applies nothing', async () => {
      expect(await store().migrate()).toEqual([]);
      expect(await store().migrate()).toEqual([]);
    });

    it('create the indexes the hot queries need', async () => {
      const names = await indexNames(store());
      expect(names).toEqual(
        expect.arrayContaining([
          'users_tenant_email_key',
          'sessions_token_hash_key',
          'sessions_user_revoked_idx',
          'sessions_expires_at_idx',
          'sessions_idle_expires_at_idx',
          'sessions_last_seen_at_idx',
          'retired_tokens_session_id_idx',
          'audit_events_user_created_idx',
          'audit_events_tenant_created_idx',
          'audit_events_type_created_idx',
        ]),
      );
    });

    it('seed the user and admin roles', async () => {
      const roles = await store().roles.list();
      expect(roles.find((r) => r.name === 'user')?.permissions).toEqual(USER_PERMISSIONS);
      const admin = roles.find((r) => r.name === 'admin')?.permissions;
      expect(admin).toEqual(ADMIN_PERMISSIONS);
      expect(admin).toEqual(
        expect.arrayContaining(['users:read', 'users:write', 'security:write', 'session:read', 'session:write']),
      );
    });
  });

  describe('users', () => {
    it('creates a user and finds it by id and by (tenant, email)', async () => {
      const user = await store().users.create(
        { tenant: 'acme', email: 'ada@acme.test', name: 'Ada', passwordHash: 'h1', roles: ['user', 'admin'] },
        T0,
      );
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
      const expected = {
        id: user.id,
        tenant: 'acme',
        email: 'ada@acme.test',
        name: 'Ada',
        passwordHash: 'h1',
        roles: ['user', 'admin'],
        createdAt: T0,
        updatedAt: T0,
      };
      expect(user).toEqual(expected);
      expect(await store().users.findById(user.id)).toEqual(expected);
      expect(await store().users.findByEmail('acme', 'ada@acme.test')).toEqual(expected);
      expect(await store().users.findByEmail('other', 'ada@acme.test')).toBeUndefined();
      expect(await store().users.findById('00000000-0000-0000-0000-000000000000')).toBeUndefined();
      expect(await store().users.findByIds([user.id, '00000000-0000-0000-0000-000000000000'])).toEqual([expected]);
      expect(await store().users.findByIds([])).toEqual([]);
    });

    it('throws email_taken for a second (tenant, email), allows it in another tenant', async () => {
      const first = await makeUser(store(), { tenant: 't-dup', email: 'dup@example.com' });
      const again = store().users.create(
        { tenant: 't-dup', email: 'dup@example.com', name: null, passwordHash: 'x', roles: [] },
        T0,
      );
      await expect(again).rejects.toBeInstanceOf(TesseraError);
      await expect(again).rejects.toMatchObject({ code: 'email_taken', status: 409 });
      const other = await makeUser(store(), { tenant: 't-dup-2', email: 'dup@example.com' });
      expect(other.id).not.toBe(first.id);
    });

    it('searches by email substring case-insensitively, newest first, within a tenant and limit', async () => {
      const tenant = 't-search';
      const mk = (email: string, at: number) =>
        store().users.create({ tenant, email, name: null, passwordHash: 'x', roles: [] }, at);
      const a = await mk('alice@search.test', T0 + 1);
      const b = await mk('ALICIA@search.test', T0 + 2);
      await mk('bob@search.test', T0 + 3);
      await mk('100%_real@search.test', T0 + 4);
      const found = await store().users.search({ tenant, email: 'aLi', limit: 10 });
      expect(found.map((u) => u.id)).toEqual([b.id, a.id]);
      expect(await store().users.search({ tenant, email: 'ali', limit: 1 })).toHaveLength(1);
      expect(await store().users.search({ tenant, limit: 10 })).toHaveLength(4);
      // LIKE wildcards in the filter are literal characters.
      expect((await store().users.search({ tenant, email: '%', limit: 10 })).map((u) => u.email)).toEqual([
        '100%_real@search.test',
      ]);
      expect(await store().users.search({ tenant, email: 'a_i', limit: 10 })).toEqual([]);
      expect(await store().users.search({ tenant: 'nobody', email: 'ali', limit: 10 })).toEqual([]);
    });

    it('sets roles and password hash, bumping updatedAt', async () => {
      const user = await makeUser(store());
      const updated = await store().users.setRoles(user.id, ['admin'], T0 + 5);
      expect(updated).toMatchObject({ id: user.id, roles: ['admin'], updatedAt: T0 + 5, createdAt: T0 });
      expect(await store().users.setRoles('missing', ['admin'], T0)).toBeUndefined();
      await store().users.setPasswordHash(user.id, 'new-hash', T0 + 9);
      expect(await store().users.findById(user.id)).toMatchObject({
        passwordHash: 'new-hash',
        updatedAt: T0 + 9,
        roles: ['admin'],
      });
    });

    it('counts users', async () => {
      const before = await store().users.count();
      await makeUser(store());
      await makeUser(store());
      expect(await store().users.count()).toBe(before + 2);
    });
  });

  describe('roles', () => {
    it('unions the permissions of the given roles; unknown roles grant nothing', async () => {
      expect(await store().roles.permissionsFor([])).toEqual([]);
      expect(await store().roles.permissionsFor(['nope'])).toEqual([]);
      expect(await store().roles.permissionsFor(['user', 'nope'])).toEqual([...USER_PERMISSIONS].sort());
      expect(await store().roles.permissionsFor(['user', 'admin'])).toEqual([...new Set(ADMIN_PERMISSIONS)].sort());
    });

    it('upserts a role (insert, then replace its permissions)', async () => {
      await store().roles.upsert('auditor', ['audit:read']);
      expect(await store().roles.permissionsFor(['auditor'])).toEqual(['audit:read']);
      await store().roles.upsert('auditor', ['audit:read', 'metrics:read']);
      expect(await store().roles.permissionsFor(['auditor'])).toEqual(['audit:read', 'metrics:read']);
      expect((await store().roles.list()).filter((r) => r.name === 'auditor')).toEqual([
        { name: 'auditor', permissions: ['audit:read', 'metrics:read'] },
      ]);
    });
  });

  describe('sessions', () => {
    it('inserts and finds a session by id and by token hash, every field intact', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id, {
        data: { theme: 'dark', n: [1, 2] },
        version: 3,
        ip: null,
        userAgent: null,
      });
      expect(await store().sessions.findById(session.id)).toEqual(session);
      expect(await store().sessions.findByTokenHash(session.tokenHash)).toEqual(session);
      expect(await store().sessions.findByTokenHash(randomHash())).toBeUndefined();
      expect(await store().sessions.findById('missing')).toBeUndefined();
    });

    it('stores only what it is given in a token_hash column (no raw token column exists)', async () => {
      const columns = await columnNames(store(), 'sessions');
      expect(columns).toContain('token_hash');
      expect(columns.filter((c) => c.includes('token'))).toEqual(['token_hash']);
      expect((await columnNames(store(), 'retired_tokens')).filter((c) => c.includes('token'))).toEqual(['token_hash']);
      const user = await makeUser(store());
      const tokenHash = hashOf('tss_the-raw-token');
      const session = await insertSession(store(), user.id, { tokenHash });
      const { rows } = await sql<{
        token_hash: string;
      }>`select token_hash from sessions where id = ${session.id}`.execute(dbOf(store()));
      expect(rows).toEqual([{ token_hash: tokenHash }]);
    });

    it('rotates by compare-and-set and records the retired token', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id);
      const next = randomHash();
      expect(await store().sessions.rotate(session.id, session.tokenHash, next, T0 + 10, T0 + HOUR + 10)).toEqual({
        sessionId: session.id,
        revision: 2,
      });
      expect(await store().sessions.findByTokenHash(next)).toMatchObject({
        id: session.id,
        lastSeenAt: T0 + 10,
        idleExpiresAt: T0 + HOUR + 10,
      });
      expect(await store().sessions.findByTokenHash(session.tokenHash)).toBeUndefined();
      expect(await store().sessions.findRetiredToken(session.tokenHash)).toEqual({
        tokenHash: session.tokenHash,
        sessionId: session.id,
        retiredAt: T0 + 10,
      });
      expect(await store().sessions.findRetiredToken(next)).toBeUndefined();
      // A stale old hash loses and changes nothing.
      expect(
        await store().sessions.rotate(session.id, session.tokenHash, randomHash(), T0 + 20, T0 + HOUR + 20),
      ).toBeUndefined();
      expect(await store().sessions.findById(session.id)).toMatchObject({ tokenHash: next, lastSeenAt: T0 + 10 });
    });

    it('lets exactly one of two concurrent rotations win', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id);
      const [a, b] = [randomHash(), randomHash()];
      const results = await Promise.all([
        store().sessions.rotate(session.id, session.tokenHash, a, T0 + 1, T0 + HOUR),
        store().sessions.rotate(session.id, session.tokenHash, b, T0 + 1, T0 + HOUR),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store().sessions.findById(session.id))?.tokenHash).toBe(results[0] ? a : b);
    });

    it('does not rotate a revoked session', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id);
      await store().sessions.revoke(session.id, 'logout', T0 + 1);
      expect(
        await store().sessions.rotate(session.id, session.tokenHash, randomHash(), T0 + 2, T0 + HOUR),
      ).toBeUndefined();
      expect(await store().sessions.findRetiredToken(session.tokenHash)).toBeUndefined();
    });

    it('touches last-seen and idle expiry', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id);
      await store().sessions.touch(session.id, T0 + 500, T0 + HOUR + 500);
      expect(await store().sessions.findById(session.id)).toMatchObject({
        lastSeenAt: T0 + 500,
        idleExpiresAt: T0 + HOUR + 500,
        expiresAt: session.expiresAt,
      });
    });

    it('revokes one session once, returning its current and retired token hashes', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id);
      const current = randomHash();
      await store().sessions.rotate(session.id, session.tokenHash, current, T0 + 1, T0 + HOUR);
      const revoked = await store().sessions.revoke(session.id, 'logout', T0 + 2);
      expect(revoked?.session).toMatchObject({
        id: session.id,
        revokedAt: T0 + 2,
        revokeReason: 'logout',
        tokenHash: current,
      });
      expect(revoked?.tokenHashes.sort()).toEqual([current, session.tokenHash].sort());
      expect(await store().sessions.revoke(session.id, 'again', T0 + 3)).toBeUndefined();
      expect(await store().sessions.findById(session.id)).toMatchObject({ revokedAt: T0 + 2, revokeReason: 'logout' });
      expect(await store().sessions.revoke('missing', 'logout', T0)).toBeUndefined();
    });

    it('revokes every live session of a user except one, returning ids and hashes', async () => {
      const user = await makeUser(store());
      const other = await makeUser(store());
      const keep = await insertSession(store(), user.id);
      const s1 = await insertSession(store(), user.id);
      const s2 = await insertSession(store(), user.id);
      const rotated = randomHash();
      await store().sessions.rotate(s2.id, s2.tokenHash, rotated, T0 + 1, T0 + HOUR);
      const already = await insertSession(store(), user.id, { revokedAt: T0, revokeReason: 'logout' });
      const theirs = await insertSession(store(), other.id);

      const result = await store().sessions.revokeAllForUser(user.id, 'password_change', T0 + 5, keep.id);
      expect(result.sessionIds.sort()).toEqual([s1.id, s2.id].sort());
      expect(result.tokenHashes.sort()).toEqual([s1.tokenHash, s2.tokenHash, rotated].sort());
      expect(await store().sessions.findById(keep.id)).toMatchObject({ revokedAt: null });
      expect(await store().sessions.findById(already.id)).toMatchObject({ revokedAt: T0, revokeReason: 'logout' });
      expect(await store().sessions.findById(theirs.id)).toMatchObject({ revokedAt: null });
      expect(await store().sessions.findById(s1.id)).toMatchObject({
        revokedAt: T0 + 5,
        revokeReason: 'password_change',
      });

      const all = await store().sessions.revokeAllForUser(user.id, 'ban', T0 + 6);
      expect(all).toEqual({
        sessionIds: [keep.id],
        tokenHashes: [keep.tokenHash],
        changes: [{ sessionId: keep.id, revision: 2 }],
      });
      expect(await store().sessions.revokeAllForUser(user.id, 'ban', T0 + 7)).toEqual({
        sessionIds: [],
        tokenHashes: [],
        changes: [],
      });
    });

    it('lists live sessions of a user, newest first', async () => {
      const user = await makeUser(store());
      const now = T0 + 10;
      const older = await insertSession(store(), user.id, { createdAt: T0 });
      const newer = await insertSession(store(), user.id, { createdAt: T0 + 1 });
      await insertSession(store(), user.id, { revokedAt: T0 + 2, revokeReason: 'logout' });
      await insertSession(store(), user.id, { expiresAt: now });
      await insertSession(store(), user.id, { idleExpiresAt: now - 1 });
      expect((await store().sessions.listLiveByUser(user.id, now)).map((s) => s.id)).toEqual([newer.id, older.id]);
    });

    it('updates data by compare-and-set on version', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id, { data: { a: 1 }, version: 1 });
      expect(await store().sessions.updateData(session.id, { a: 2 }, 1, T0)).toEqual({
        data: { a: 2 },
        version: 2,
        change: { sessionId: session.id, revision: 2 },
      });
      expect(await store().sessions.updateData(session.id, { a: 3 }, 1, T0)).toBeUndefined();
      expect(await store().sessions.findById(session.id)).toMatchObject({ data: { a: 2 }, version: 2 });
      expect(await store().sessions.updateData('missing', {}, 1, T0)).toBeUndefined();
      const racers = await Promise.all([1, 2, 3].map((n) => store().sessions.updateData(session.id, { n }, 2, T0)));
      expect(racers.filter(Boolean)).toHaveLength(1);
      expect((await store().sessions.findById(session.id))?.version).toBe(3);
    });

    it('lists recently active live sessions, most recent first, bounded', async () => {
      const user = await makeUser(store(), { tenant: 'recent' });
      const base = T0 + 100 * HOUR;
      const mk = (lastSeenAt: number, extra = {}) =>
        insertSession(store(), user.id, {
          lastSeenAt,
          createdAt: lastSeenAt,
          expiresAt: base + 24 * HOUR,
          idleExpiresAt: base + HOUR,
          ...extra,
        });
      const a = await mk(base - 3);
      const b = await mk(base - 1);
      await mk(base - 2, { revokedAt: base - 2, revokeReason: 'logout' });
      await mk(base - 100);
      const found = await store().sessions.recentlyActive(base - 10, base, 10);
      expect(found.map((s) => s.id)).toEqual([b.id, a.id]);
      expect((await store().sessions.recentlyActive(base - 10, base, 1)).map((s) => s.id)).toEqual([b.id]);
      expect(await store().sessions.recentlyActive(base - 10, base + HOUR, 10)).toEqual([]);
    });
  });

  describe('session change log', () => {
    it('gives every change a new revision and logs it in order, on every kind of change', async () => {
      const user = await makeUser(store());
      const [a, b, c] = [
        await insertSession(store(), user.id),
        await insertSession(store(), user.id),
        await insertSession(store(), user.id),
      ];
      const TB = T0 + 1000 * HOUR; // later than any other test's changes
      const start = await store().sessions.changeSeqBefore(TB);
      const rotated = await store().sessions.rotate(a.id, a.tokenHash, randomHash(), TB + 1, TB + HOUR);
      const written = await store().sessions.updateData(a.id, { x: 1 }, 1, TB + 2);
      const marked = await store().sessions.markUserChanged(user.id, T0 + 3); // T0: while the sessions are live
      const revoked = await store().sessions.revoke(b.id, 'logout', TB + 4);
      const all = await store().sessions.revokeAllForUser(user.id, 'logout_all', TB + 5);
      expect(rotated).toEqual({ sessionId: a.id, revision: 2 });
      expect(written?.change).toEqual({ sessionId: a.id, revision: 3 });
      expect(marked.changes).toEqual(
        expect.arrayContaining([
          { sessionId: a.id, revision: 4 },
          { sessionId: b.id, revision: 2 },
          { sessionId: c.id, revision: 2 },
        ]),
      );
      expect(marked.tokenHashes).toHaveLength(4); // a's current and retired hash, b's and c's
      expect(revoked?.changes).toEqual([{ sessionId: b.id, revision: 3 }]);
      expect(all.changes).toEqual(
        expect.arrayContaining([
          { sessionId: a.id, revision: 5 },
          { sessionId: c.id, revision: 3 },
        ]),
      );
      expect(all.changes).toHaveLength(2);
      const ours = new Set([a.id, b.id, c.id]);
      const logged = (await store().sessions.changesAfter(start, 1000)).filter((r) => ours.has(r.sessionId));
      expect(logged.map(({ sessionId, revision }) => ({ sessionId, revision }))).toEqual([
        rotated,
        written!.change,
        ...marked.changes,
        ...revoked!.changes,
        ...all.changes,
      ]);
      expect(logged.map((r) => r.seq)).toEqual([...logged.map((r) => r.seq)].sort((x, y) => x - y));
      expect((await store().sessions.changesAfter(logged[2].seq, 2)).map((r) => r.seq)).toEqual(
        logged.slice(3, 5).map((r) => r.seq),
      );
      expect((await store().sessions.findById(a.id))?.revision).toBe(5);
      expect(await store().sessions.changeSeqBefore(TB + 4)).toBe(logged[5].seq - 1);
      expect(await store().sessions.changeSeqBefore(TB + 999_999)).toBe(logged.at(-1)!.seq);
    });

    it('touches do not change the revision (activity is not a change caches must see)', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id);
      await store().sessions.touch(session.id, T0 + 10, T0 + HOUR + 10);
      expect((await store().sessions.findById(session.id))?.revision).toBe(1);
    });

    it('cleanup drops change-log rows older than changesBefore and keeps newer ones', async () => {
      const user = await makeUser(store());
      const session = await insertSession(store(), user.id);
      await store().sessions.updateData(session.id, { v: 1 }, 1, T0 - 10 * HOUR);
      await store().sessions.updateData(session.id, { v: 2 }, 2, T0 + 10 * HOUR);
      await store().sessions.cleanup({
        now: T0,
        revokedBefore: T0 - 100 * HOUR,
        changesBefore: T0,
        batchSize: 100,
        dryRun: false,
      });
      const left = (await store().sessions.changesAfter(0, 100_000)).filter((c) => c.sessionId === session.id);
      expect(left.map((c) => c.revision)).toEqual([3]);
    });
  });

  describe('audit', () => {
    it('inserts events and queries them by type, user, tenant and time, newest first', async () => {
      const base = { ip: '10.0.0.1', userAgent: 'ua', sessionId: null, details: { reason: 'x' } };
      const e1 = await store().audit.insert({
        ...base,
        type: 'login_success',
        tenant: 'aud',
        userId: 'u-a',
        createdAt: T0 + 1,
      });
      expect(e1).toMatchObject({ ...base, type: 'login_success', tenant: 'aud', userId: 'u-a', createdAt: T0 + 1 });
      expect(e1.id).toMatch(/^[0-9a-f-]{36}$/);
      const e2 = await store().audit.insert({
        ...base,
        type: 'login_failure',
        tenant: 'aud',
        userId: null,
        createdAt: T0 + 2,
      });
      const e3 = await store().audit.insert({
        ...base,
        type: 'login_success',
        tenant: 'aud',
        userId: 'u-b',
        createdAt: T0 + 3,
      });
      await store().audit.insert({
        ...base,
        type: 'login_success',
        tenant: 'other-aud',
        userId: 'u-c',
        createdAt: T0 + 4,
      });

      const ids = (records: Array<{ id: string }>) => records.map((r) => r.id);
      expect(ids(await store().audit.query({ tenant: 'aud', limit: 10 }))).toEqual([e3.id, e2.id, e1.id]);
      expect(ids(await store().audit.query({ tenant: 'aud', type: 'login_success', limit: 10 }))).toEqual([
        e3.id,
        e1.id,
      ]);
      expect(ids(await store().audit.query({ userId: 'u-a', limit: 10 }))).toEqual([e1.id]);
      expect(ids(await store().audit.query({ tenant: 'aud', since: T0 + 2, limit: 10 }))).toEqual([e3.id, e2.id]);
      expect(ids(await store().audit.query({ tenant: 'aud', limit: 1 }))).toEqual([e3.id]);
      expect((await store().audit.query({ userId: 'u-a', limit: 1 }))[0]).toEqual(e1);
    });
  });

  describe('locks', () => {
    it('is exclusive until it expires or is released, and reentrant for its owner', async () => {
      const locks = store().locks;
      expect(await locks.tryAcquire('cleanup', 'a', 1000, T0)).toBe(true);
      expect(await locks.tryAcquire('cleanup', 'b', 1000, T0 + 10)).toBe(false);
      expect(await locks.tryAcquire('cleanup', 'a', 1000, T0 + 500)).toBe(true); // renewal: now held to T0+1500
      expect(await locks.tryAcquire('cleanup', 'b', 1000, T0 + 1200)).toBe(false);
      expect(await locks.tryAcquire('other-job', 'b', 1000, T0)).toBe(true);
      expect(await locks.tryAcquire('cleanup', 'b', 1000, T0 + 1500)).toBe(true); // expired: taken over
      await locks.release('cleanup', 'a'); // not a's any more: no effect
      expect(await locks.tryAcquire('cleanup', 'a', 1000, T0 + 1600)).toBe(false);
      await locks.release('cleanup', 'b');
      expect(await locks.tryAcquire('cleanup', 'a', 1000, T0 + 1600)).toBe(true);
    });

    it('grants a contended lock to exactly one owner', async () => {
      const owners = ['w1', 'w2', 'w3', 'w4', 'w5'];
      const results = await Promise.all(owners.map((o) => store().locks.tryAcquire('contended', o, 60_000, T0)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('maintenance', () => {
    // A store of its own: cleanup and counts look at the whole sessions table.
    const own = useStore(factory);
    const now = T0 + 1000 * HOUR;
    const revokedBefore = now - 24 * HOUR;

    it('counts sessions by state and cleans up in batches; dry run deletes nothing', async () => {
      const s = own();
      const user = await makeUser(s);
      const live = () => ({ expiresAt: now + HOUR, idleExpiresAt: now + HOUR });
      const keep = [
        await insertSession(s, user.id, live()),
        await insertSession(s, user.id, live()),
        await insertSession(s, user.id, { ...live(), revokedAt: now - HOUR, revokeReason: 'logout' }), // recently revoked
      ];
      const gone = [
        await insertSession(s, user.id, { expiresAt: now - 1, idleExpiresAt: now - 1 }),
        await insertSession(s, user.id, { expiresAt: now + HOUR, idleExpiresAt: now - 1 }),
        await insertSession(s, user.id, { expiresAt: now - 5, idleExpiresAt: now + HOUR }),
        await insertSession(s, user.id, { expiresAt: now - 5, idleExpiresAt: now - 5 }),
        await insertSession(s, user.id, { ...live(), revokedAt: revokedBefore - 1, revokeReason: 'ban' }),
      ];
      const rotatedOut = gone[0].tokenHash;
      expect(await s.sessions.rotate(gone[0].id, rotatedOut, randomHash(), T0, T0 + HOUR)).toBeTruthy();

      expect(await s.sessions.countByState(now)).toEqual({ active: 2, expired: 4, revoked: 2 });

      const dry = await s.sessions.cleanup({ now, revokedBefore, batchSize: 2, dryRun: true });
      expect(dry).toEqual({ deleted: 5, remaining: 3 });
      expect(await s.sessions.countByState(now)).toEqual({ active: 2, expired: 4, revoked: 2 });

      const real = await s.sessions.cleanup({ now, revokedBefore, batchSize: 2, dryRun: false });
      expect(real).toEqual({ deleted: 5, remaining: 3 });
      for (const g of gone) expect(await s.sessions.findById(g.id)).toBeUndefined();
      for (const k of keep) expect(await s.sessions.findById(k.id)).toBeDefined();
      expect(await s.sessions.findRetiredToken(rotatedOut)).toBeUndefined();
      expect(await s.sessions.countByState(now)).toEqual({ active: 2, expired: 0, revoked: 1 });

      expect(await s.sessions.cleanup({ now, revokedBefore, batchSize: 2, dryRun: false })).toEqual({
        deleted: 0,
        remaining: 3,
      });
    });

    it('cleans a backlog several times larger than the batch', async () => {
      const s = own();
      const user = await makeUser(s);
      for (let i = 0; i < 23; i++) await insertSession(s, user.id, { expiresAt: now - 1 - i });
      const before = await s.sessions.countByState(now);
      const result = await s.sessions.cleanup({ now, revokedBefore, batchSize: 5, dryRun: false });
      expect(result).toEqual({ deleted: 23, remaining: before.active + before.revoked });
      expect((await s.sessions.countByState(now)).expired).toBe(0);
    });
  });
}

const factories: Array<{ factory: StoreFactory; needs: Array<'postgres'> }> = [
  { factory: sqliteFactory, needs: [] },
  { factory: postgresFactory, needs: ['postgres'] },
];

for (const { factory, needs } of factories) {
  describeWith(needs, `store repositories (${factory.dialect})`, () => repositorySuite(factory));
}
