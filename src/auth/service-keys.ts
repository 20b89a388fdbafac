import { hash, randomBytes, randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Db } from '../store/database.js';
import type { Store } from '../store/types.js';
import { guardRepository } from '../store/db-errors.js';
import {
  serviceKeysRepository,
  type ServiceKeyRecord,
  type ServiceKeysRepository,
} from '../store/repositories/service-keys.js';

export const SERVICE_KEY_PREFIX = 'tsk_';
/** `tsk_` + 43 base64url characters (256 random bits). */
const SERVICE_KEY_SHAPE = /^tsk_[A-Za-z0-9_-]{43}$/;
/** A verified key is believed this long without asking the database again (a revoke is seen within it). */
const VERIFIED_TTL_MS = 5_000;

export type { ServiceKeyRecord };

export interface ServiceKeyActor {
  userId?: string | null;
  ip?: string | null;
  /** Who made it, as shown in the list: an admin's user id, or `cli`. */
  by: string;
}

const hashKey = (key: string): string => hash('sha256', key, 'hex');

/**
 * Keys that let a backend read the revocation stream (and report session use). A key is printed once, at
 * creation; only its SHA-256 is stored. Creating and revoking are audited.
 */
export class ServiceKeys {
  readonly #repo: ServiceKeysRepository;
  readonly #audit: AuditLog;
  readonly #verified = new Map<string, { record: ServiceKeyRecord; until: number }>();

  constructor(db: Store['db'], audit: AuditLog) {
    this.#repo = guardRepository(serviceKeysRepository(db as Db));
    this.#audit = audit;
  }

  async create(name: string, actor: ServiceKeyActor): Promise<{ key: string; serviceKey: ServiceKeyRecord }> {
    const key = SERVICE_KEY_PREFIX + randomBytes(32).toString('base64url');
    const record: ServiceKeyRecord = {
      id: randomUUID(),
      name,
      prefix: key.slice(0, 8),
      createdAt: Date.now(),
      createdBy: actor.by,
      revokedAt: null,
    };
    await this.#repo.insert({ ...record, keyHash: hashKey(key) });
    await this.#audit.record('service_key_created', {
      userId: actor.userId,
      ip: actor.ip,
      details: { serviceKeyId: record.id, name, by: actor.by },
    });
    return { key, serviceKey: record };
  }

  list(): Promise<ServiceKeyRecord[]> {
    return this.#repo.list();
  }

  /** The revoked key's record (as it was), or undefined when there is no such key. */
  async revoke(id: string, actor: ServiceKeyActor): Promise<ServiceKeyRecord | undefined> {
    const now = Date.now();
    const before = await this.#repo.revoke(id, now);
    if (!before) return undefined;
    for (const [hashed, cached] of this.#verified) if (cached.record.id === id) this.#verified.delete(hashed);
    if (before.revokedAt === null)
      await this.#audit.record('service_key_revoked', {
        userId: actor.userId,
        ip: actor.ip,
        details: { serviceKeyId: id, name: before.name, by: actor.by },
      });
    return { ...before, revokedAt: before.revokedAt ?? now };
  }

  /** The live key this is, or undefined (wrong shape, unknown or revoked). */
  async verify(key: string): Promise<ServiceKeyRecord | undefined> {
    if (!SERVICE_KEY_SHAPE.test(key)) return undefined;
    const hashed = hashKey(key);
    const now = Date.now();
    const cached = this.#verified.get(hashed);
    if (cached && cached.until > now) return cached.record;
    const record = await this.#repo.findLive(hashed);
    if (record) this.#verified.set(hashed, { record, until: now + VERIFIED_TTL_MS });
    else this.#verified.delete(hashed);
    return record;
  }
}
