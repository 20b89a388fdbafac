import type { PermissionResolver } from '../../auth/permissions.js';
import { toUserView, type UserView } from '../../auth/user-view.js';
import type { SessionRecord, Store } from '../../store/types.js';
import type { SessionCache } from '../session-cache.js';
import type { SessionEntry } from '../types.js';
import { isLive } from '../views.js';
import type { WarmTier, WarmTierReport } from './types.js';

export interface FillTargets {
  /** Fill this process's L1, with this many serialised bytes at most, and never past `l1Room()` entries. */
  l1?: { budgetBytes: number; room: () => number };
  /** Fill Redis, with this many serialised bytes at most. */
  l2?: { budgetBytes: number };
}

const sizeOf = (entry: SessionEntry): number => {
  const { body: _body, ...persisted } = entry;
  return Buffer.byteLength(JSON.stringify(persisted));
};

/**
 * One pass's fill: sessions → entries (users and permissions read once per pass) → the tiers it targets, through
 * the cache's own admission (an entry whose session has a newer known revision is refused, and a read too old is not
 * written to Redis), until each tier's memory budget is spent.
 */
export class WarmFill {
  readonly #store: Store;
  readonly #permissions: PermissionResolver;
  readonly #cache: SessionCache;
  readonly #targets: FillTargets;
  readonly #users = new Map<string, UserView | null>();
  readonly #seen = new Set<string>();
  readonly #userSeen = new Set<string>();
  readonly tiers: Partial<Record<WarmTier, WarmTierReport>> = {};
  /** Users whose sessions were warmed, in the order first warmed. */
  readonly warmedUsers: string[] = [];
  warmed = 0;
  skipped = 0;

  constructor(deps: { store: Store; permissions: PermissionResolver; cache: SessionCache }, targets: FillTargets) {
    this.#store = deps.store;
    this.#permissions = deps.permissions;
    this.#cache = deps.cache;
    this.#targets = targets;
    for (const tier of ['l1', 'l2'] as const) {
      const target = targets[tier];
      if (target) this.tiers[tier] = { entries: 0, bytes: 0, budgetBytes: target.budgetBytes, full: false };
    }
  }

  get done(): boolean {
    return Object.values(this.tiers).every((t) => t.full);
  }

  /** False once every tier is full. */
  async fill(sessions: SessionRecord[], readAt: number): Promise<boolean> {
    const fresh = sessions.filter((s) => !this.#seen.has(s.id));
    for (const s of fresh) this.#seen.add(s.id);
    const entries = await this.#entries(fresh, Date.now());
    const l1 = this.tiers.l1;
    const l2 = this.tiers.l2;
    const toL2: SessionEntry[] = [];
    let stored = 0;
    for (const entry of entries) {
      const now = Date.now();
      if (!this.#cache.admits(entry)) {
        this.skipped++;
        continue;
      }
      const bytes = sizeOf(entry);
      let placed = false;
      if (l1 && !l1.full) {
        if (l1.bytes + bytes > l1.budgetBytes || this.#targets.l1!.room() <= 0) l1.full = true;
        else {
          this.#cache.store(entry, now, { toL2: false, readAt, warming: true });
          l1.entries++;
          l1.bytes += bytes;
          placed = true;
        }
      }
      if (l2 && !l2.full) {
        if (l2.bytes + bytes > l2.budgetBytes) l2.full = true;
        else {
          toL2.push(entry);
          l2.bytes += bytes;
          placed = true;
        }
      }
      if (!placed) break;
      stored++;
      if (!this.#userSeen.has(entry.session.userId)) {
        this.#userSeen.add(entry.session.userId);
        this.warmedUsers.push(entry.session.userId);
      }
    }
    if (l2 && toL2.length > 0) {
      try {
        l2.entries += await this.#cache.storeManyL2(toL2, Date.now(), readAt);
      } catch {
        l2.full = true; // Redis refused (breaker open, timeout): this pass leaves it alone
      }
    }
    this.warmed += stored;
    return !this.done;
  }

  async #entries(sessions: SessionRecord[], now: number): Promise<SessionEntry[]> {
    const live = sessions.filter((s) => isLive(s, now));
    this.skipped += sessions.length - live.length;
    const missing = [...new Set(live.map((s) => s.userId))].filter((id) => !this.#users.has(id));
    for (const id of missing) this.#users.set(id, null);
    const found = missing.length > 0 ? await this.#store.users.findByIds(missing) : [];
    for (const user of found) this.#users.set(user.id, toUserView(user, await this.#permissions.forRoles(user.roles)));
    const entries: SessionEntry[] = [];
    for (const session of live) {
      const user = this.#users.get(session.userId);
      if (user) entries.push({ tokenHash: session.tokenHash, session, user });
      else this.skipped++;
    }
    return entries;
  }
}
