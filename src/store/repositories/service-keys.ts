import type { Db } from '../database.js';

export interface ServiceKeyRecord {
  id: string;
  name: string;
  /** The key's first characters (`tsk_` + 4), to tell keys apart in a list; never enough to use one. */
  prefix: string;
  createdAt: number;
  createdBy: string | null;
  revokedAt: number | null;
}

export interface ServiceKeysRepository {
  insert(record: ServiceKeyRecord & { keyHash: string }): Promise<void>;
  list(): Promise<ServiceKeyRecord[]>;
  /** The live (not revoked) key with this hash. */
  findLive(keyHash: string): Promise<ServiceKeyRecord | undefined>;
  /** Marks the key revoked; the record as it was before, or undefined when there is none. */
  revoke(id: string, now: number): Promise<ServiceKeyRecord | undefined>;
}

interface Row {
  id: string;
  name: string;
  prefix: string;
  created_at: number | string;
  created_by: string | null;
  revoked_at: number | string | null;
}

const toRecord = (r: Row): ServiceKeyRecord => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

const COLUMNS = ['id', 'name', 'prefix', 'created_at', 'created_by', 'revoked_at'] as const;

export function serviceKeysRepository(db: Db): ServiceKeysRepository {
  return {
    async insert(k) {
      await db
        .insertInto('service_keys')
        .values({
          id: k.id,
          name: k.name,
          key_hash: k.keyHash,
          prefix: k.prefix,
          created_at: k.createdAt,
          created_by: k.createdBy,
          revoked_at: k.revokedAt,
        })
        .execute();
    },
    async list() {
      const rows = await db.selectFrom('service_keys').select(COLUMNS).orderBy('created_at').orderBy('id').execute();
      return rows.map(toRecord);
    },
    async findLive(keyHash) {
      const row = await db
        .selectFrom('service_keys')
        .select(COLUMNS)
        .where('key_hash', '=', keyHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async revoke(id, now) {
      const row = await db.selectFrom('service_keys').select(COLUMNS).where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      if (row.revoked_at === null)
        await db
          .updateTable('service_keys')
          .set({ revoked_at: now })
          .where('id', '=', id)
          .where('revoked_at', 'is', null)
          .execute();
      return toRecord(row);
    },
  };
}
