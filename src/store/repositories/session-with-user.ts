import type { Db } from '../database.js';
import { toSession, toUser } from '../mapping.js';
import type { SessionRecord, UserRecord } from '../types.js';

/**
 * Validation's database step as one indexed query: the session by its current token hash (unique index) joined with
 * its user (primary key). The user's roles ride in the user row; their permissions are memoised (auth/permissions.ts).
 */
export const sessionWithUserQuery = (db: Db, tokenHash: string) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select([
      'users.tenant as u_tenant',
      'users.email as u_email',
      'users.name as u_name',
      'users.password_hash as u_password_hash',
      'users.roles as u_roles',
      'users.created_at as u_created_at',
      'users.updated_at as u_updated_at',
    ])
    .where('sessions.token_hash', '=', tokenHash);

type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof sessionWithUserQuery>['executeTakeFirst']>>>;

export function toSessionWithUser(row: Row): { session: SessionRecord; user: UserRecord } {
  return {
    session: toSession(row),
    user: toUser({
      id: row.user_id,
      tenant: row.u_tenant,
      email: row.u_email,
      name: row.u_name,
      password_hash: row.u_password_hash,
      roles: row.u_roles,
      created_at: row.u_created_at,
      updated_at: row.u_updated_at,
    }),
  };
}
