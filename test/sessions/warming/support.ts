import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { generateToken, hashToken } from '../../../src/sessions/token.js';
import { WarmingService } from '../../../src/sessions/warming/service.js';
import type { SessionRecord, Store } from '../../../src/store/types.js';
import type { TestInstance } from '../factory.js';

const MINUTE = 60_000;

export interface Seeded {
  token: string;
  session: SessionRecord;
}

/**
 * Sessions written straight into the database (as if issued by an instance that has since restarted): no cache holds
 * them. `perUser` sessions per user; `lastSeenAgoMs` spreads recent activity so the newest come first.
 */
export async function seedSessions(
  store: Store,
  count: number,
  {
    perUser = 1,
    lastSeenAgoMs = (i: number) => 1000 + i * 10,
  }: { perUser?: number; lastSeenAgoMs?: (i: number) => number } = {},
): Promise<Seeded[]> {
  const now = Date.now();
  const out: Seeded[] = [];
  let userId = '';
  for (let i = 0; i < count; i++) {
    if (i % perUser === 0) {
      const user = await store.users.create(
        { tenant: 'default', email: `w-${randomUUID()}@example.test`, name: null, passwordHash: 'x', roles: ['user'] },
        now,
      );
      userId = user.id;
    }
    const token = generateToken();
    const session: SessionRecord = {
      id: randomUUID(),
      userId,
      tenant: 'default',
      tokenHash: hashToken(token),
      createdAt: now - 10 * MINUTE,
      lastSeenAt: now - lastSeenAgoMs(i),
      expiresAt: now + 60 * MINUTE,
      idleExpiresAt: now + 30 * MINUTE,
      revokedAt: null,
      revokeReason: null,
      ip: null,
      userAgent: null,
      data: {},
      version: 1,
      revision: 1,
    };
    await store.sessions.insert(session);
    out.push({ token, session });
  }
  return out;
}

export const WARM_DEFAULTS = {
  warmEnabled: true,
  warmInterval: 3_600_000,
  warmWindow: 3_600_000,
  warmBudgetBytes: 64 << 20,
  warmL1BudgetBytes: 32 << 20,
  warmBatchSize: 50,
  warmBatchPause: 0,
  warmActiveCron: undefined as string | undefined,
  warmHotCron: undefined as string | undefined,
  warmUsersCron: undefined as string | undefined,
  warmRolesCron: undefined as string | undefined,
  warmUsersMax: 1000,
};

/** A warming service on a factory instance, as the runtime wires it (the hot keys come from the test). */
export function warmingFor(
  instance: TestInstance,
  store: Store,
  {
    hasRedis = true,
    hotKeys = async () => [] as string[],
    ...config
  }: Partial<typeof WARM_DEFAULTS> & { hasRedis?: boolean; hotKeys?: () => Promise<string[]> } = {},
): WarmingService {
  return new WarmingService(
    { ...WARM_DEFAULTS, ...config },
    {
      store,
      permissions: instance.permissions,
      cache: instance.cache,
      hasRedis,
      l1Room: () => instance.stack.l1.stats().max - instance.stack.l1.stats().size,
      hotKeys,
      logger: pino({ level: 'silent' }),
      sessionKeyPrefix: 'sess:',
    },
  );
}
