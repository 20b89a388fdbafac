import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './0001_initial.js';
import * as observability from './0002_observability.js';
import * as securityBans from './0100_security_bans.js';
import * as loadtests from './0101_loadtests.js';
import * as sessionChanges from './0102_session_changes.js';
import * as serviceKeys from './0103_service_keys.js';

/** Every migration, by name, in order. Static so the built package needs no migration folder at runtime. */
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_observability': observability,
  '0100_security_bans': securityBans,
  '0101_loadtests': loadtests,
  '0102_session_changes': sessionChanges,
  '0103_service_keys': serviceKeys,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
