import type { Db } from '../database.js';
import type { RolesRepository } from '../types.js';

export function rolesRepository(db: Db): RolesRepository {
  return {
    async permissionsFor(roles) {
      if (roles.length === 0) return [];
      const rows = await db.selectFrom('roles').select('permissions').where('name', 'in', roles).execute();
      const union = new Set(rows.flatMap((r) => JSON.parse(r.permissions) as string[]));
      return [...union].sort();
    },

    async list() {
      const rows = await db.selectFrom('roles').selectAll().orderBy('name').execute();
      return rows.map((r) => ({ name: r.name, permissions: JSON.parse(r.permissions) as string[] }));
    },

    async upsert(name, permissions) {
      const text = JSON.stringify([...new Set(permissions)]);
      await db
        .insertInto('roles')
        .values({ name, permissions: text })
        .onConflict((oc) => oc.column('name').doUpdateSet({ permissions: text }))
        .execute();
    },
  };
}
