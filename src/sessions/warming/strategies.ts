import type { SessionRecord } from '../../store/types.js';
import type { WarmContext, WarmStrategy } from './types.js';

/** Rows read longer ago than this are read again before they fill a cache (the cache refuses old reads for Redis). */
const MAX_READ_AGE_MS = 5_000;

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Role → permission table: every role's permissions resolved once, so the user entries that follow hit the memo. */
export const rolesStrategy = (): WarmStrategy => ({
  name: 'roles',
  priority: 0,
  async run(ctx) {
    const roles = await ctx.store.roles.list();
    for (const role of roles) await ctx.permissions.forRoles([role.name]);
    ctx.noteWarmed(roles.length);
  },
});

/** Sessions by how often they were read (the Redis hot-key tracker): the ones a cold cache would miss most. */
export const hotSessionsStrategy = (): WarmStrategy => ({
  name: 'hot',
  priority: 10,
  async run(ctx) {
    const hashes = await ctx.hotTokenHashes();
    for (const batch of chunks(hashes, ctx.batchSize)) {
      const readAt = Date.now();
      const found = await Promise.all(batch.map((hash) => ctx.store.sessions.findByTokenHash(hash)));
      if (
        !(await ctx.fill(
          found.filter((s): s is SessionRecord => s !== undefined),
          readAt,
        ))
      )
        return;
    }
  },
});

/** Sessions seen within `windowMs`, most recently active first, as many as the budgets allow. */
export const activeSessionsStrategy = (options: { windowMs: number; limit: () => number }): WarmStrategy => ({
  name: 'active',
  priority: 20,
  async run(ctx) {
    let readAt = Date.now();
    const sessions = await ctx.store.sessions.recentlyActive(readAt - options.windowMs, readAt, options.limit());
    for (let batch of chunks(sessions, ctx.batchSize)) {
      // A fill is only as fresh as its read: rows read too long ago (a long pass) are read again first.
      if (Date.now() - readAt > MAX_READ_AGE_MS) {
        readAt = Date.now();
        const again = await Promise.all(batch.map((s) => ctx.store.sessions.findById(s.id)));
        batch = again.filter((s): s is SessionRecord => s !== undefined);
      }
      if (!(await ctx.fill(batch, readAt))) return;
    }
  },
});

/** Every live session of the users this pass already warmed (a user often has several devices). */
export const userSessionsStrategy = (options: { maxUsers: number }): WarmStrategy => ({
  name: 'users',
  priority: 30,
  async run(ctx) {
    await fillUsers(ctx, ctx.warmedUsers.slice(0, options.maxUsers));
  },
});

/** An explicit list, from the admin API or `tessera cache warm --ids FILE`. */
export const explicitStrategy = (ids: { sessionIds?: string[]; userIds?: string[] }): WarmStrategy => ({
  name: 'explicit',
  priority: -10,
  async run(ctx) {
    for (const batch of chunks(ids.sessionIds ?? [], ctx.batchSize)) {
      const readAt = Date.now();
      const found = await Promise.all(batch.map((id) => ctx.store.sessions.findById(id)));
      if (
        !(await ctx.fill(
          found.filter((s): s is SessionRecord => s !== undefined),
          readAt,
        ))
      )
        return;
    }
    await fillUsers(ctx, ids.userIds ?? []);
  },
});

async function fillUsers(ctx: WarmContext, userIds: readonly string[]): Promise<void> {
  for (const batch of chunks(userIds, ctx.batchSize)) {
    const readAt = Date.now();
    const lists = await Promise.all(batch.map((id) => ctx.store.sessions.listLiveByUser(id, readAt)));
    if (!(await ctx.fill(lists.flat(), readAt))) return;
  }
}
