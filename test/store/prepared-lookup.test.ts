import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createStore } from '../../src/store/create-store.js';
import { withStatementCache } from '../../src/store/statement-cache.js';
import { createTestDatabase, describeWith } from '../helpers/services.js';
import { postgresFactory, sqliteFactory } from './factories.js';
import { insertSession, makeUser, randomHash } from './fixtures.js';

describe('SQLite statement cache', () => {
  it('prepares each distinct SQL text once, and the cached statements return fresh results', async () => {
    const database = new Database(':memory:');
    const prepared: string[] = [];
    const prepare = database.prepare.bind(database);
    database.prepare = (text: string) => {
      prepared.push(text);
      return prepare(text);
    };
    const db = new Kysely<{ t: { id: number; v: string } }>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
    });
    await sql`create table t (id integer primary key, v text)`.execute(db);
    for (let id = 1; id <= 3; id++)
      await db
        .insertInto('t')
        .values({ id, v: `v${id}` })
        .execute();
    for (let id = 1; id <= 3; id++)
      expect(await db.selectFrom('t').select('v').where('id', '=', id).executeTakeFirst()).toEqual({ v: `v${id}` });
    await db.updateTable('t').set({ v: 'changed' }).where('id', '=', 2).execute();
    expect(await db.selectFrom('t').select('v').where('id', '=', 2).executeTakeFirst()).toEqual({ v: 'changed' });
    const texts = prepared.filter((t) => !t.startsWith('create'));
    expect(texts).toHaveLength(new Set(texts).size); // never the same text twice
    expect(texts).toHaveLength(3); // insert, select, update
    await db.destroy();
  });
});

for (const { factory, needs } of [
  { factory: sqliteFactory, needs: [] as Array<'postgres'> },
  { factory: postgresFactory, needs: ['postgres'] as Array<'postgres'> },
]) {
  describeWith(needs, `session with its user in one query (${factory.dialect})`, () => {
    it('finds the current token with its user, and nothing for an unknown token', async () => {
      const fixture = await factory.create();
      const store = fixture.store;
      try {
        const user = await makeUser(store, { roles: ['user', 'admin'] });
        const session = await insertSession(store, user.id);
        const found = await store.sessions.findWithUserByTokenHash(session.tokenHash);
        expect(found?.session).toEqual(session);
        expect(found?.user).toEqual(await store.users.findById(user.id));
        expect(await store.sessions.findWithUserByTokenHash(randomHash())).toBeUndefined();
      } finally {
        await fixture.dispose();
      }
    });
  });
}

describeWith(['postgres'], 'PostgreSQL: the validation lookup is a named statement', () => {
  it('is prepared once per connection and reused', async () => {
    const database = await createTestDatabase();
    // One connection: pg_prepared_statements is per connection.
    const store = await createStore(loadConfig({ DATABASE_URL: database.url, DATABASE_POOL_MAX: '1' }));
    try {
      await store.migrate();
      const user = await makeUser(store);
      const session = await insertSession(store, user.id);
      for (let i = 0; i < 3; i++) expect(await store.sessions.findWithUserByTokenHash(session.tokenHash)).toBeDefined();
      const { rows } = await sql<{
        name: string;
        statement: string;
      }>`select name, statement from pg_prepared_statements`.execute(store.db);
      const named = rows.filter((r) => r.statement.includes('"sessions"."token_hash"'));
      expect(named).toHaveLength(1);
      expect(named[0].name).toMatch(/^tessera_/);
      // Other queries stay unnamed.
      expect(rows.filter((r) => r.statement.includes('"users"') && !r.statement.includes('join'))).toEqual([]);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});
