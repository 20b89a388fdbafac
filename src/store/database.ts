import type { Generated, Kysely } from 'kysely';

/** Table shapes as Kysely sees them. Times are epoch-ms bigints (parsed to numbers); JSON columns are text. */
export interface UsersTable {
  id: string;
  tenant: string;
  email: string;
  name: string | null;
  password_hash: string;
  roles: string;
  created_at: number;
  updated_at: number;
}

export interface RolesTable {
  name: string;
  permissions: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  tenant: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  idle_expires_at: number;
  revoked_at: number | null;
  revoke_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  data: string;
  version: number;
  revision: number;
}

export interface SessionChangesTable {
  seq: Generated<number>;
  session_id: string;
  revision: number;
  changed_at: number;
}

export interface RetiredTokensTable {
  token_hash: string;
  session_id: string;
  retired_at: number;
}

export interface AuditEventsTable {
  id: string;
  type: string;
  tenant: string | null;
  user_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
  created_at: number;
}

export interface JobLocksTable {
  name: string;
  owner: string;
  acquired_at: number;
  expires_at: number;
}

export interface MetricMinutesTable {
  minute_start: number;
  instance: string;
  data: string;
}

export interface MetricLiveTable {
  instance: string;
  at: number;
  data: string;
}

export interface AlertsTable {
  id: string;
  data: string;
  updated_at: number;
}

export interface AlertRulesTable {
  id: number;
  data: string;
}

export interface LoadTestRunsTable {
  id: string;
  name: string | null;
  kind: string;
  preset: string;
  params: string;
  target: string;
  status: string;
  instance_id: string;
  created_by: string | null;
  started_at: number;
  finished_at: number | null;
  heartbeat_at: number;
  stop_requested_at: number | null;
  progress: string | null;
  grade: string | null;
  summary: string | null;
  error: string | null;
  report: string | null;
}

export interface LoadTestBaselinesTable {
  run_id: string;
  name: string;
  created_at: number;
  report: string;
}

export interface ServiceKeysTable {
  id: string;
  name: string;
  key_hash: string;
  prefix: string;
  created_at: number;
  created_by: string | null;
  revoked_at: number | null;
}

export interface Database {
  users: UsersTable;
  roles: RolesTable;
  sessions: SessionsTable;
  retired_tokens: RetiredTokensTable;
  session_changes: SessionChangesTable;
  audit_events: AuditEventsTable;
  job_locks: JobLocksTable;
  metric_minutes: MetricMinutesTable;
  metric_live: MetricLiveTable;
  alerts: AlertsTable;
  alert_rules: AlertRulesTable;
  loadtest_runs: LoadTestRunsTable;
  loadtest_baselines: LoadTestBaselinesTable;
  service_keys: ServiceKeysTable;
}

export type Db = Kysely<Database>;
