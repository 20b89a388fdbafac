import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

/** Keeps `in (…)` lists well under SQLite's and PostgreSQL's bound-parameter limits. */
export const IN_LIST_CHUNK = 1000;

export function chunk<T>(items: T[], size = IN_LIST_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Hashes of every token rotated out of the given sessions. */
export async function retiredHashesOf(db: Kysely<Database>, sessionIds: string[]): Promise<string[]> {
  const hashes: string[] = [];
  for (const ids of chunk(sessionIds)) {
    const rows = await db.selectFrom('retired_tokens').select('token_hash').where('session_id', 'in', ids).execute();
    for (const r of rows) hashes.push(r.token_hash);
  }
  return hashes;
}
