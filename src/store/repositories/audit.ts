import { randomUUID } from 'node:crypto';
import type { Db } from '../database.js';
import { fromAudit, toAudit } from '../mapping.js';
import type { AuditRepository } from '../types.js';

export function auditRepository(db: Db): AuditRepository {
  return {
    async insert(event) {
      const row = fromAudit(randomUUID(), event);
      await db.insertInto('audit_events').values(row).execute();
      return toAudit(row);
    },

    async query({ type, since, userId, tenant, limit }) {
      let query = db.selectFrom('audit_events').selectAll();
      if (type !== undefined) query = query.where('type', '=', type);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      if (tenant !== undefined) query = query.where('tenant', '=', tenant);
      if (since !== undefined) query = query.where('created_at', '>=', since);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toAudit);
    },
  };
}
