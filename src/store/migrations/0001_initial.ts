import type { Kysely } from 'kysely';

/** Permissions of the seeded roles. The admin API checks these names. */
export const USER_PERMISSIONS = ['session:read', 'session:write'];
export const ADMIN_PERMISSIONS = [
  ...USER_PERMISSIONS,
  'users:read',
  'users:write',
  'security:read',
  'security:write',
  'metrics:read',
  'alerts:write',
  'cache:write',
  'loadtests:run',
];

// Portable across SQLite and PostgreSQL: schema builder only, bigint epoch-ms times, JSON as text.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('tenant', 'varchar(255)', (c) => c.notNull())
    .addColumn('email', 'varchar(320)', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('roles', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_tenant_email_key').unique().on('users').columns(['tenant', 'email']).execute();
  await db.schema.createIndex('users_created_at_idx').on('users').column('created_at').execute();

  await db.schema
    .createTable('roles')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .execute();
  await db
    .insertInto('roles')
    .values([
      { name: 'user', permissions: JSON.stringify(USER_PERMISSIONS) },
      { name: 'admin', permissions: JSON.stringify(ADMIN_PERMISSIONS) },
    ])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(36)', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('tenant', 'varchar(255)', (c) => c.notNull())
    .addColumn('token_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('idle_expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('revoke_reason', 'varchar(64)')
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_token_hash_key').unique().on('sessions').column('token_hash').execute();
  await db.schema.createIndex('sessions_user_revoked_idx').on('sessions').columns(['user_id', 'revoked_at']).execute();
  await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();
  await db.schema.createIndex('sessions_idle_expires_at_idx').on('sessions').column('idle_expires_at').execute();
  await db.schema.createIndex('sessions_revoked_at_idx').on('sessions').column('revoked_at').execute();
  await db.schema.createIndex('sessions_last_seen_at_idx').on('sessions').column('last_seen_at').execute();

  await db.schema
    .createTable('retired_tokens')
    .addColumn('token_hash', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('session_id', 'varchar(64)', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('retired_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('retired_tokens_session_id_idx').on('retired_tokens').column('session_id').execute();

  // No foreign keys: the audit trail outlives the users and sessions it mentions.
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('type', 'varchar(64)', (c) => c.notNull())
    .addColumn('tenant', 'varchar(255)')
    .addColumn('user_id', 'varchar(36)')
    .addColumn('session_id', 'varchar(64)')
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_events_user_created_idx')
    .on('audit_events')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('audit_events_tenant_created_idx')
    .on('audit_events')
    .columns(['tenant', 'created_at'])
    .execute();
  await db.schema
    .createIndex('audit_events_type_created_idx')
    .on('audit_events')
    .columns(['type', 'created_at'])
    .execute();
  await db.schema.createIndex('audit_events_created_idx').on('audit_events').column('created_at').execute();

  await db.schema
    .createTable('job_locks')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('owner', 'varchar(255)', (c) => c.notNull())
    .addColumn('acquired_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['job_locks', 'audit_events', 'retired_tokens', 'sessions', 'roles', 'users']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
