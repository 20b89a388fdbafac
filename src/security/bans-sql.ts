import type { Kysely } from 'kysely';
import { guardRepository } from '../store/db-errors.js';
import type { Ban, DurableBanStore } from './bans.js';

/** The table this store owns (its migration is registered with the store's). */
interface BanTables {
  security_bans: BanRow;
}

interface BanRow {
  ip: string;
  reason: string;
  created_at: number | string;
  expires_at: number | string | null;
  created_by: string | null;
}

/** The security_bans table (migration 0100_security_bans) on SQLite or PostgreSQL through Kysely. */
export class SqlBanStore implements DurableBanStore {
  constructor(private readonly db: Kysely<BanTables>) {}

  async put(ban: Ban): Promise<void> {
    const row = {
      ip: ban.ip,
      reason: ban.reason,
      created_at: ban.createdAt,
      expires_at: ban.expiresAt,
      created_by: ban.createdBy,
    };
    await this.db
      .insertInto('security_bans')
      .values(row)
      .onConflict((oc) =>
        oc.column('ip').doUpdateSet({
          reason: ban.reason,
          created_at: ban.createdAt,
          expires_at: ban.expiresAt,
          created_by: ban.createdBy,
        }),
      )
      .execute();
  }

  async delete(ip: string): Promise<void> {
    await this.db.deleteFrom('security_bans').where('ip', '=', ip).execute();
  }

  async listActive(now: number): Promise<Ban[]> {
    await this.db.deleteFrom('security_bans').where('expires_at', '<=', now).execute();
    const rows = (await this.db.selectFrom('security_bans').selectAll().execute()) as BanRow[];
    return rows.map((r) => ({
      ip: r.ip,
      reason: r.reason,
      createdAt: Number(r.created_at),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      createdBy: r.created_by,
    }));
  }
}

/** The table store with database connectivity failures mapped to DependencyError (503), as every repository does. */
export function sqlBanStore(db: Kysely<unknown>): DurableBanStore {
  const store = new SqlBanStore(db as unknown as Kysely<BanTables>);
  return guardRepository({
    put: (ban: Ban) => store.put(ban),
    delete: (ip: string) => store.delete(ip),
    listActive: (now: number) => store.listActive(now),
  });
}
