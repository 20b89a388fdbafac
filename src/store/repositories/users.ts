import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { TesseraError } from '../../errors/index.js';
import type { Db } from '../database.js';
import { isUniqueViolation } from '../db-errors.js';
import { toUser } from '../mapping.js';
import type { NewUser, UserRecord, UsersRepository } from '../types.js';

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function usersRepository(db: Db): UsersRepository {
  return {
    async create(user: NewUser, now: number): Promise<UserRecord> {
      const row = {
        id: randomUUID(),
        tenant: user.tenant,
        email: user.email,
        name: user.name,
        password_hash: user.passwordHash,
        roles: JSON.stringify(user.roles),
        created_at: now,
        updated_at: now,
      };
      try {
        await db.insertInto('users').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw new TesseraError('email_taken');
        throw error;
      }
      return toUser(row);
    },

    async findById(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async findByIds(ids) {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
      return rows.map(toUser);
    },

    async findByEmail(tenant, email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('tenant', '=', tenant)
        .where('email', '=', email)
        .executeTakeFirst();
      return row && toUser(row);
    },

    async search({ email, tenant, limit }) {
      let query = db.selectFrom('users').selectAll();
      if (tenant !== undefined) query = query.where('tenant', '=', tenant);
      if (email) {
        const pattern = `%${escapeLike(email.toLowerCase())}%`;
        query = query.where(sql<boolean>`lower(email) like ${pattern} escape '\\'`);
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toUser);
    },

    async setRoles(id, roles, now) {
      const row = await db
        .updateTable('users')
        .set({ roles: JSON.stringify(roles), updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toUser(row);
    },

    async setPasswordHash(id, passwordHash, now) {
      await db
        .updateTable('users')
        .set({ password_hash: passwordHash, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    async count() {
      const { n } = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
  };
}
