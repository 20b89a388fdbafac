import type { Kysely } from 'kysely';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { DependencyError } from '../../errors/registry.js';
import type { Alert, AlertRule } from './types.js';

/**
 * Alert state and the rule set in force, shared by every instance so each one's API shows the same alerts
 * (Redis when scaled; memory when embedded, where one process owns them).
 */
export interface AlertStore {
  list(): Promise<Alert[]>;
  get(id: string): Promise<Alert | undefined>;
  put(alert: Alert): Promise<void>;
  delete(ids: string[]): Promise<void>;
  /** Rules set through the API (they outlive restarts and apply on every instance); undefined when never set. */
  getRules(): Promise<AlertRule[] | undefined>;
  setRules(rules: AlertRule[]): Promise<void>;
}

export class MemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, Alert>();
  private rules: AlertRule[] | undefined;

  async list(): Promise<Alert[]> {
    return [...this.alerts.values()].map((a) => ({ ...a }));
  }
  async get(id: string): Promise<Alert | undefined> {
    const a = this.alerts.get(id);
    return a && { ...a };
  }
  async put(alert: Alert): Promise<void> {
    this.alerts.set(alert.id, { ...alert });
  }
  async delete(ids: string[]): Promise<void> {
    for (const id of ids) this.alerts.delete(id);
  }
  async getRules(): Promise<AlertRule[] | undefined> {
    return this.rules;
  }
  async setRules(rules: AlertRule[]): Promise<void> {
    this.rules = rules;
  }
}

/** Embedded mode: memory, saved to a JSON file after each change so a restart keeps alerts and API-set rules. */
export class FileAlertStore extends MemoryAlertStore {
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly path: string) {
    super();
  }

  static async open(path: string): Promise<FileAlertStore> {
    const store = new FileAlertStore(path);
    await mkdir(dirname(path), { recursive: true });
    try {
      const saved = JSON.parse(await readFile(path, 'utf8')) as { alerts?: Alert[]; rules?: AlertRule[] };
      for (const a of saved.alerts ?? []) await MemoryAlertStore.prototype.put.call(store, a);
      if (saved.rules) await MemoryAlertStore.prototype.setRules.call(store, saved.rules);
    } catch {
      // No file yet (or unreadable): start empty.
    }
    return store;
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      const tmp = `${this.path}.tmp`;
      await writeFile(tmp, JSON.stringify({ alerts: await this.list(), rules: await this.getRules() }));
      await rename(tmp, this.path);
    });
    return this.saving;
  }

  override async put(alert: Alert): Promise<void> {
    await super.put(alert);
    await this.save();
  }
  override async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await super.delete(ids);
    await this.save();
  }
  override async setRules(rules: AlertRule[]): Promise<void> {
    await super.setRules(rules);
    await this.save();
  }
}

/** One hash of alerts (field = id) and one key for the rules, under the `{alerts}` hash tag (one Cluster slot). */
export class RedisAlertStore implements AlertStore {
  private readonly alertsKey: string;
  private readonly rulesKey: string;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
  ) {
    this.alertsKey = `${prefix}{alerts}:state`;
    this.rulesKey = `${prefix}{alerts}:rules`;
  }

  async list(): Promise<Alert[]> {
    return guard(async () =>
      Object.values(await this.redis.hgetall(this.alertsKey)).map((t) => JSON.parse(t) as Alert),
    );
  }
  async get(id: string): Promise<Alert | undefined> {
    return guard(async () => {
      const t = await this.redis.hget(this.alertsKey, id);
      return t ? (JSON.parse(t) as Alert) : undefined;
    });
  }
  async put(alert: Alert): Promise<void> {
    await guard(() => this.redis.hset(this.alertsKey, alert.id, JSON.stringify(alert)));
  }
  async delete(ids: string[]): Promise<void> {
    if (ids.length > 0) await guard(() => this.redis.hdel(this.alertsKey, ...ids));
  }
  async getRules(): Promise<AlertRule[] | undefined> {
    return guard(async () => {
      const t = await this.redis.get(this.rulesKey);
      return t ? (JSON.parse(t) as AlertRule[]) : undefined;
    });
  }
  async setRules(rules: AlertRule[]): Promise<void> {
    await guard(() => this.redis.set(this.rulesKey, JSON.stringify(rules)));
  }
}

/** Redis failing is a dependency outage (503 with Retry-After), not a bug (500). */
async function guard<T>(fn: () => Promise<T>, dependency: 'redis' | 'database' = 'redis'): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof DependencyError ? err : new DependencyError(dependency, err);
  }
}

/** The tables the SQL alert store uses (migration 0002_observability). */
export interface AlertTables {
  alerts: { id: string; data: string; updated_at: number };
  alert_rules: { id: number; data: string };
}

/** Alerts and rules in the database, for instances that share it without a Redis (and for embedded mode). */
export class SqlAlertStore implements AlertStore {
  constructor(private readonly db: Kysely<AlertTables>) {}

  async list(): Promise<Alert[]> {
    return guard(
      async () => (await this.db.selectFrom('alerts').select('data').execute()).map((r) => JSON.parse(r.data) as Alert),
      'database',
    );
  }
  async get(id: string): Promise<Alert | undefined> {
    const row = await guard(
      () => this.db.selectFrom('alerts').select('data').where('id', '=', id).executeTakeFirst(),
      'database',
    );
    return row ? (JSON.parse(row.data) as Alert) : undefined;
  }
  async put(alert: Alert): Promise<void> {
    const data = JSON.stringify(alert);
    await guard(
      () =>
        this.db
          .insertInto('alerts')
          .values({ id: alert.id, data, updated_at: alert.updatedAt })
          .onConflict((oc) => oc.column('id').doUpdateSet({ data, updated_at: alert.updatedAt }))
          .execute(),
      'database',
    );
  }
  async delete(ids: string[]): Promise<void> {
    if (ids.length > 0) await guard(() => this.db.deleteFrom('alerts').where('id', 'in', ids).execute(), 'database');
  }
  async getRules(): Promise<AlertRule[] | undefined> {
    const row = await guard(
      () => this.db.selectFrom('alert_rules').select('data').where('id', '=', 1).executeTakeFirst(),
      'database',
    );
    return row ? (JSON.parse(row.data) as AlertRule[]) : undefined;
  }
  async setRules(rules: AlertRule[]): Promise<void> {
    const data = JSON.stringify(rules);
    await guard(
      () =>
        this.db
          .insertInto('alert_rules')
          .values({ id: 1, data })
          .onConflict((oc) => oc.column('id').doUpdateSet({ data }))
          .execute(),
      'database',
    );
  }
}
